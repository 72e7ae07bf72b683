#!/usr/bin/env python3
"""Writes corpora/sample-site/: the bundled sample site that `shoptalk demo` serves and crawls.

All text is original, written for shoptalk (CC0). Run from the repository root; the output is
committed, so this only needs re-running after editing the content below.
"""
import json, os, html

ROOT = "corpora/sample-site"
ORIGIN = "http://sample-site.test"

ZH_UTF8 = [
    ("zh/overseas-warehouse", "2024-03-18", "周岚", "海外仓成了跨境卖家的新战场",
     ["今年春天，不少做欧洲市场的中小卖家开始把库存提前放进海外仓。过去一件包裹从义乌发到柏林要走两到三周，现在从本地仓发货，买家第二天就能收到。",
      "一位做户外灯具的卖家算了一笔账：头程海运加上仓储费，单件成本比直邮高了四块钱左右，但退货率从百分之九降到了百分之五，差评也少了一半。他说，物流快了，买家对价格就没那么敏感。",
      "不过海外仓也有风险。旺季前备货太多，卖不动的货只能压在仓里交月租；备货太少，又会断货掉排名。业内人士建议先用小批量测试，再按销量滚动补货。"]),
    ("zh/livestream-returns", "2024-06-02", "李想", "直播间的退货率为什么居高不下",
     ["直播带货的成交额还在涨，但不少商家发现，退货单涨得更快。一家女装店铺的运营告诉记者，大促当晚的订单有将近一半在七天内申请了退款。",
      "主播在镜头前把衣服夸得很好看，灯光和滤镜也帮了忙，可是衣服到手以后，颜色和面料都和直播间里不一样。消费者觉得被误导，就直接点了仅退款。",
      "有商家开始在直播中加入真人试穿和近距离面料展示，也有人干脆在详情页写明色差说明。业内认为，退货率说到底是信任问题，靠冲动下单换来的销量留不住。"]),
    ("zh/fake-cosmetics", "2023-11-09", "王蕾", "平台打假：一支口红背后的追查",
     ["一位消费者在某平台买到的口红，颜色和气味都和专柜不同，她拿着批号去品牌官网查询，结果显示查无此码。投诉提交后，平台用了十天才给出处理结果。",
      "记者调查发现，售假店铺往往把假货和正品混着卖，评价区里真假难辨。有的店铺还会用低价吸引流量，月销量动辄上万，等被平台下架后再换一个店名重新开张。",
      "品牌方表示，他们已经和平台建立了快速通道，投诉假货可以在四十八小时内下架商品。但消费者维权仍然要自己举证，保存聊天记录和订单截图是最基本的一步。"]),
    ("zh/after-sales-call", "2024-08-21", "陈默", "售后电话打了七次才接通",
     ["上个月买的扫地机器人用了三周就不能充电，王先生拨打客服电话，前六次都在排队中被挂断。第七次终于接通，客服让他先寄回检测，运费自理。",
      "像这样的售后体验并不少见。很多品牌把售后外包给第三方，客服只能按话术回答，遇到复杂问题就让用户等回电。等了一周，回电还是没有来。",
      "消费者协会提醒，三包期内出现性能故障，消费者可以要求修理、更换或者退货，运费应由经营者承担。遇到推诿，可以保留通话记录向有关部门投诉。"]),
    ("zh/overtime-culture", "2023-09-14", "赵一帆", "电商运营的加班日常",
     ["每到双十一前一个月，电商公司的办公室几乎通宵亮灯。一位做了五年运营的员工说，备战期间一周只休息半天，晚上十点下班算早的。",
      "加班费大多按调休折算，但旺季根本休不了。有人开玩笑说，运营的年假都攒在了表格里。公司也承认人手紧张，却担心旺季过后人员闲置，不敢多招人。",
      "近两年，一些公司开始尝试轮班制和大促后的集中休假，还有企业把部分数据分析交给工具完成。员工的评价是：比以前好了一点，但离朝九晚五还很远。"]),
    ("zh/mobile-payment-elderly", "2024-01-25", "孙悦", "老年人学会了扫码，却怕了免密支付",
     ["六十八岁的刘阿姨去年学会了用手机扫码买菜，今年却在一次网购中被自动续费扣了三个月的会员费。她说自己根本不记得开通过免密支付。",
      "记者发现，一些应用在付款页面默认勾选了免密支付和自动续费，字体小、位置偏，老年用户很容易忽略。取消的入口又藏在好几层菜单里面。",
      "有关部门已经要求平台在开通免密支付时进行单独确认，并在扣款前发送提醒。子女们也可以帮父母定期检查支付设置，关掉不需要的授权。"]),
]

ZH_GBK = [
    ("zh/price-war", "2024-05-30", "黄涛", "低价内卷：一件T恤卖九块九还包邮",
     ["在某电商平台上，一件纯棉T恤的价格已经降到九块九包邮。商家坦言，这个价格几乎没有利润，只是为了冲销量、换取流量扶持。",
      "价格战的代价最终落在质量上。有买家反映，这类T恤洗过两次就变形起球，领口也松了。商家为了压低成本，只能换更薄的面料、更便宜的辅料。",
      "行业人士认为，平台的流量规则在很大程度上推动了低价竞争。如果价格成了唯一的排名依据，认真做产品的商家反而会被挤出市场。"]),
    ("zh/last-mile", "2023-07-06", "吴桐", "快递最后一公里：驿站、快递柜还是送上门",
     ["不少消费者发现，快递越来越少送货上门，包裹常常被直接放进驿站或者快递柜。快递员说，一天要送两百多件，挨家挨户敲门根本来不及。",
      "一些用户对此很不满，特别是买了大件商品的老人和上班族。也有人觉得驿站取件更灵活，下班顺路拿一下就行，不用担心错过电话。",
      "部分快递公司推出了按需上门的付费服务，消费者可以在下单时选择。专家建议，快递企业应当在派送前征得收件人同意，不能默认放在代收点。"]),
    ("zh/brand-loyalty", "2024-10-12", "郑佳", "年轻人为什么不再迷信大牌",
     ["一份消费调查显示，越来越多的年轻人在购买日用品时选择国货新品牌，而不是熟悉的国际大牌。他们更看重成分表、用户评价和实际效果。",
      "一位大学生说，她会先在社交平台上看真实测评，再决定买不买。如果一个牌子的口碑翻车，她会马上换掉，不管它名气有多大。",
      "品牌专家认为，这种变化对所有品牌都是提醒：知名度可以花钱买，信任却要靠产品质量和售后一点点积累。"]),
]

EN = [
    ("en/returns-fraud", "2024-04-11", "Maya Collins", "Retailers tighten return windows as refund abuse grows",
     ["Several mid-sized online retailers have cut their free return window from sixty days to thirty, blaming a rise in what they call serial returners: shoppers who buy five sizes of the same dress and send four back.",
      "One home goods seller said that returns now cost more than outbound shipping. Every parcel that comes back has to be inspected, repackaged and sometimes written off, and a refund goes out before the item even reaches the warehouse.",
      "Consumer groups warn that shorter windows punish honest buyers. They suggest retailers publish clearer size guides and real product photos, which cut returns without taking rights away."]),
    ("en/warehouse-robots", "2023-10-03", "Daniel Okafor", "Inside a warehouse where robots pick and people pack",
     ["At a fulfilment centre outside Rotterdam, shelves roll across the floor to meet the workers instead of the other way round. Staff say their daily walking distance has dropped from eighteen kilometres to almost nothing.",
      "The robots have made delivery faster: most orders placed before noon now ship the same day. But the packing stations run on tight targets, and workers describe a pace that leaves little room for breaks during peak season.",
      "The operator says it rotates staff between tasks and has added rest areas. A union representative answered that the targets, not the furniture, are the problem."]),
    ("en/counterfeit-chargers", "2024-07-19", "Priya Natarajan", "Counterfeit phone chargers are still easy to buy",
     ["Testing by a consumer magazine found that four of ten budget chargers bought from marketplace sellers were counterfeit copies of a major brand, complete with fake safety markings.",
      "Two of the fakes overheated within an hour and one failed an insulation test outright. The listings used the brand's own product photos and had hundreds of five-star reviews, many of them posted within the same week.",
      "The marketplaces removed the listings after being contacted. Buyers are advised to check the seller's history, distrust prices far below the official store and report suspected fakes so that refunds can be claimed."]),
    ("en/bnpl", "2024-02-27", "Tom Haraldsen", "Buy now, pay later changes how young shoppers budget",
     ["Instalment buttons now sit beside the card option at almost every online checkout. Splitting a purchase into four payments feels painless, and for many shoppers under thirty it has become the default way to pay.",
      "Debt advisers report more clients juggling several plans at once, each small on its own but adding up to a monthly bill that is hard to track. Missed payments can bring late fees and, increasingly, a mark on the credit file.",
      "Providers argue that interest-free instalments are cheaper than credit cards. Regulators are preparing affordability checks that would apply before the first purchase."]),
    ("en/livestream-west", "2024-09-08", "Lena Fischer", "Live shopping tries again outside Asia",
     ["Western platforms have tried livestream selling before and mostly given up. This year a new wave of hosts is trying again, selling skincare, kitchen gadgets and vintage clothes in long evening streams.",
      "The formula borrows from Chinese live commerce: limited-time prices, a host who answers questions in real time and a countdown for each product. Conversion rates are high, but audiences are still small and loyal rather than large.",
      "Brands like the direct contact with buyers. Some hosts worry that the flash-sale pressure encourages impulse purchases that come back as returns a week later."]),
    ("en/price-tracking", "2023-12-14", "Sam Whitaker", "Shoppers use price trackers to beat fake discounts",
     ["Browser extensions that chart an item's price history are booming. Users say they reveal a familiar trick: the price goes up in early November so the Black Friday discount looks bigger.",
      "One tracker's data showed that about a third of the deals it followed were no cheaper than the lowest price of the previous three months. Genuine bargains did exist, mostly on electronics and older models.",
      "Consumer law in several countries requires a reference price to be the lowest price of the last thirty days. Enforcement is patchy, so the trackers have become the shoppers' own inspectors."]),
]

PRODUCTS = [
    ("products/electric-kettle", "智能恒温电热水壶 1.7L", "zh", 4.1, [
        ("小林", "2024-05-03", 5, "烧水很快，一升水三分钟左右就开了，恒温功能泡茶很方便。"),
        ("阿珍", "2024-05-11", 2, "用了一个月壶底开始有水垢和异味，客服说是正常现象，感觉售后敷衍。"),
        ("mike_w", "2024-06-01", 4, "Boils quickly and the keep-warm mode is handy, but the lid hinge feels a bit flimsy."),
        ("老周", "2024-06-20", 5, "包装很严实，快递第二天就到了，外壳摸着不烫手，给父母买的他们很满意。"),
    ]),
    ("products/running-shoes", "Trailrunner 3 running shoes", "en", 3.6, [
        ("jess_runs", "2024-03-14", 5, "Light, grippy on wet trails and comfortable straight out of the box. Sizing was true to the chart."),
        ("K. Patel", "2024-04-02", 2, "The sole started peeling after six weeks. The seller asked me to pay return shipping for a warranty claim."),
        ("runner_zh", "2024-04-19", 3, "鞋子挺轻的，但是鞋码偏小半码，换货等了十天。"),
        ("Oliver B", "2024-05-07", 4, "Good value at the sale price, though I doubt it is worth the full price."),
    ]),
    ("products/phone-charger", "65W GaN fast charger", "en", 3.2, [
        ("techdad", "2024-07-02", 1, "Arrived with a different logo than the photos and got hot enough to smell. I think it is a fake. Refund took three weeks."),
        ("Ana", "2024-07-15", 4, "Charges my laptop and phone at the same time, compact enough for travel."),
        ("小马", "2024-07-28", 3, "充电速度还可以，就是线太短了，物流也慢，等了一个星期才到。"),
    ]),
    ("products/down-jacket", "轻薄羽绒服 女款", "zh", 3.8, [
        ("雪梨", "2023-11-20", 5, "很轻很暖，颜色和直播间看到的一样，没有色差。"),
        ("大橙子", "2023-11-28", 2, "直播间说是九十绒，到手感觉很薄，申请退货还要自己出运费。"),
        ("Hana", "2023-12-05", 4, "Warm enough for a city winter and packs into its own pocket. Runs slightly small."),
        ("阿杰", "2023-12-19", 4, "价格比商场便宜不少，做工也可以，就是拉链有点涩。"),
    ]),
    ("products/robot-vacuum", "Robot vacuum S8", "en", 2.9, [
        ("Grace", "2024-08-02", 2, "Stopped charging after three weeks. Support kept me on hold for forty minutes every time I called."),
        ("Ben T", "2024-08-10", 4, "Maps the flat well and handles pet hair. The app asks for too many permissions."),
        ("李女士", "2024-08-30", 1, "售后电话一直打不通，最后只能申请平台介入才退了款。"),
    ]),
]

# Extra review pages for the kettle: a paginated review list.
KETTLE_MORE = [
    [("晓雯", "2024-07-02", 3, "水壶本身不错，就是开盖的按钮太紧，老人按起来费劲。"),
     ("Raj", "2024-07-09", 5, "Third kettle I have bought for the family. Reliable and the price was fair during the sale."),
     ("胖虎", "2024-07-16", 4, "烧水声音比旧壶小很多，晚上用不吵人。")],
    [("Lucy", "2024-08-01", 2, "The temperature display failed after two months. Waiting on a replacement from the seller."),
     ("阿强", "2024-08-12", 5, "发货快，包装好，用了两个月没有问题，值这个价。")],
]

STYLE = "body{font-family:sans-serif;max-width:760px;margin:auto}nav a,footer a{margin-right:8px}"

def nav(zh):
    if zh:
        return ('<header><div class="logo">集市观察 Bazaar Notes</div><nav><a href="/">首页</a><a href="/news/">资讯</a>'
                '<a href="/products/">好物评测</a><a href="/about.html">关于我们</a><a href="/rss.xml">订阅</a></nav></header>')
    return ('<header><div class="logo">Bazaar Notes</div><nav><a href="/">Home</a><a href="/news/">News</a>'
            '<a href="/products/">Reviews</a><a href="/about.html">About</a><a href="/rss.xml">RSS</a></nav></header>')

def share(zh):
    if zh:
        return '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a> <span>打赏作者</span></div>'
    return '<div class="share">Share: <a href="#">X</a> <a href="#">Facebook</a> <a href="#">Email</a></div>'

def footer(zh):
    if zh:
        return ('<footer><p>版权声明：本站原创内容，未经许可禁止转载。</p><p><a href="/about.html">联系我们</a>'
                '<a href="/admin/">后台</a> 版权所有 2021-2025 集市观察</p></footer>')
    return ('<footer><p>© 2021-2025 Bazaar Notes. All rights reserved.</p><p><a href="/about.html">Contact</a>'
            '<a href="/admin/">Admin</a> <a href="/privacy.html">Privacy</a></p></footer>')

def page(title, body, zh, charset="utf-8", head_extra=""):
    return (f'<!DOCTYPE html>\n<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="{charset}">'
            f'<title>{html.escape(title)} - {"集市观察" if zh else "Bazaar Notes"}</title>'
            f'<style>{STYLE}</style>{head_extra}</head>\n<body>{nav(zh)}\n{body}\n{footer(zh)}</body></html>\n')

def write(rel, text, charset="utf-8"):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(text.encode(charset))

def article(slug, date, author, title, paras, zh, charset="utf-8", related=()):
    url = f"{ORIGIN}/news/{slug}.html"
    byline = f'<p class="byline">{"作者" if zh else "By"} {html.escape(author)} · <time datetime="{date}">{date}</time></p>'
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
    rel = "".join(f'<li><a href="/news/{s}.html?utm_source=related&amp;spm=a1.b2">{html.escape(t)}</a></li>' for s, t in related)
    rel_h = "相关阅读" if zh else "Related reading"
    head = (f'<link rel="canonical" href="{url}"><meta property="og:title" content="{html.escape(title)}">'
            f'<meta name="author" content="{html.escape(author)}"><meta property="article:published_time" content="{date}">')
    content = (f'<main><article><h1>{html.escape(title)}</h1>{byline}{share(zh)}{body}</article>'
               f'<aside><h3>{rel_h}</h3><ul>{rel}</ul></aside></main>')
    write(f"news/{slug}.html", page(title, content, zh, charset, head), charset)
    return url

def review_ld(name, reviews, avg, count):
    return {
        "@context": "https://schema.org", "@type": "Product", "name": name,
        "aggregateRating": {"@type": "AggregateRating", "ratingValue": avg, "reviewCount": count, "bestRating": 5},
        "review": [{"@type": "Review", "author": {"@type": "Person", "name": a}, "datePublished": d,
                    "reviewRating": {"@type": "Rating", "ratingValue": r, "bestRating": 5}, "reviewBody": t}
                   for a, d, r, t in reviews],
    }

def product(slug, name, lang, avg, reviews, extra_pages=()):
    zh = lang == "zh"
    total = len(reviews) + sum(len(p) for p in extra_pages)
    def render(rel, revs, n, pages):
        ld = json.dumps(review_ld(name, revs, avg, total), ensure_ascii=False)
        items = "".join(f'<li class="review"><b>{html.escape(a)}</b> {"★" * r} <span>{d}</span><p>{html.escape(t)}</p></li>'
                        for a, d, r, t in revs)
        pager = ""
        if pages > 1:
            links = []
            for i in range(1, pages + 1):
                href = f"/{slug}.html" if i == 1 else f"/{slug}/reviews-{i}.html"
                links.append(f'<a href="{href}">{i}</a>')
            pager = f'<div class="pager">{"评价分页" if zh else "Review pages"}: {" ".join(links)}</div>'
        intro = (f"<p>{html.escape(name)}：共有 {total} 条买家评价，平均 {avg} 分。</p>" if zh
                 else f"<p>{html.escape(name)}: {total} buyer reviews, average {avg} of 5.</p>")
        body = (f'<main><h1>{html.escape(name)}</h1>{intro}{share(zh)}<ul class="reviews">{items}</ul>{pager}</main>'
                f'<script type="application/ld+json">{ld}</script>')
        title = name if n == 1 else f"{name} ({'评价第' + str(n) + '页' if zh else 'reviews page ' + str(n)})"
        write(rel, page(title, body, zh))
    pages = 1 + len(extra_pages)
    render(f"{slug}.html", reviews, 1, pages)
    for i, revs in enumerate(extra_pages, start=2):
        render(f"{slug}/reviews-{i}.html", revs, i, pages)
    return f"{ORIGIN}/{slug}.html"

def main():
    urls = []
    items = []  # (url, title, date) for the feed
    all_articles = [(a, True, "utf-8") for a in ZH_UTF8] + [(a, True, "gbk") for a in ZH_GBK] + [(a, False, "utf-8") for a in EN]
    for i, ((slug, date, author, title, paras), zh, cs) in enumerate(all_articles):
        same = [x for x in all_articles if x[1] == zh and x[0][0] != slug]
        related = [(x[0][0], x[0][3]) for x in same[i % 3: i % 3 + 2]]
        url = article(slug, date, author, title, paras, zh, cs, related)
        urls.append((url, date))
        items.append((url, title, date))
    # News list, three pages (pagination); only page 1 is in the sitemap.
    per = 6
    chunks = [all_articles[i:i + per] for i in range(0, len(all_articles), per)]
    for n, chunk in enumerate(chunks, start=1):
        lis = "".join(f'<li><a href="/news/{a[0]}.html">{html.escape(a[3])}</a> <span>{a[1]}</span></li>' for a, _, _ in chunk)
        pager = " ".join(f'<a href="/news/{"" if k == 1 else "page/" + str(k) + ".html"}">{k}</a>' for k in range(1, len(chunks) + 1))
        nxt = f'<a rel="next" href="/news/page/{n + 1}.html">下一页 Next</a>' if n < len(chunks) else ""
        body = f'<main><h1>资讯 News</h1><ul class="list">{lis}</ul><div class="pager">{pager} {nxt}</div></main>'
        write("news/index.html" if n == 1 else f"news/page/{n}.html", page(f"资讯 News {n}", body, True))
    urls.append((f"{ORIGIN}/news/", "2024-10-12"))
    # Products.
    plis = []
    for slug, name, lang, avg, reviews in PRODUCTS:
        extra = KETTLE_MORE if slug.endswith("kettle") else ()
        urls.append((product(slug, name, lang, avg, reviews, extra), reviews[-1][1]))
        plis.append(f'<li><a href="/{slug}.html">{html.escape(name)}</a></li>')
    write("products/index.html", page("好物评测 Product reviews", f'<main><h1>好物评测 Product reviews</h1><ul>{"".join(plis)}</ul></main>', True))
    # Home, about, admin (disallowed), a binary file.
    latest = "".join(f'<li><a href="{u.replace(ORIGIN, "")}?utm_medium=home&amp;fbclid=abc">{html.escape(t)}</a></li>' for u, t, _ in items[:4])
    home = (f'<main><h1>集市观察 Bazaar Notes</h1><p>关于电商、物流和消费的原创报道与买家评价。Original reporting and buyer reviews on commerce.</p>'
            f'<h2>最新 Latest</h2><ul>{latest}</ul><p><a href="/news/">更多资讯 More news</a> · <a href="/products/">好物评测 Reviews</a></p></main>')
    write("index.html", page("集市观察 Bazaar Notes", home, True))
    about = ('<main><h1>About Bazaar Notes</h1><p>Bazaar Notes is a fictional trade-press site bundled with shoptalk so that the demo '
             'can crawl something real without the internet. Every article and review on it was written for the project.</p>'
             '<p>集市观察是 shoptalk 自带的虚构资讯站点，所有文章和评价都是为本项目原创的。</p></main>')
    write("about.html", page("About", about, False))
    privacy = ('<main><h1>Privacy</h1><p>Bazaar Notes sets no cookies and keeps no logs: it only exists inside the shoptalk binary '
               'and is served on your own computer while the demo runs.</p></main>')
    write("privacy.html", page("Privacy", privacy, False))
    write("admin/index.html", page("Admin", "<main><h1>Admin</h1><p>Staff only: this page is disallowed in robots.txt and must never be crawled.</p></main>", False))
    write("media/logo.png", "")
    with open(os.path.join(ROOT, "media/logo.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(64)))
    write("robots.txt", f"# Bazaar Notes (shoptalk sample site)\nUser-agent: *\nDisallow: /admin/\nDisallow: /search\n\nSitemap: {ORIGIN}/sitemap.xml\n")
    sm = "".join(f"<url><loc>{html.escape(u)}</loc><lastmod>{d}</lastmod></url>\n" for u, d in urls)
    write("sitemap.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{sm}</urlset>\n')
    from email.utils import format_datetime
    from datetime import datetime, timezone
    feed_items = sorted(items, key=lambda x: x[2], reverse=True)[:8]
    ri = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link><guid>{html.escape(u)}</guid>"
        f"<pubDate>{format_datetime(datetime.fromisoformat(d).replace(tzinfo=timezone.utc))}</pubDate></item>\n"
        for u, t, d in feed_items)
    write("rss.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>集市观察 Bazaar Notes</title>'
          f'<link>{ORIGIN}/</link><description>Commerce news and buyer reviews</description>\n{ri}</channel></rss>\n')

main()

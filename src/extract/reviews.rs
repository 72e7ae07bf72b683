//! Buyer reviews from schema.org markup: `Review` and `AggregateRating` in JSON-LD and in
//! microdata (read into the same JSON shape), ratings normalised to 0-5.

use serde::Serialize;
use serde_json::{Map, Value};

use super::dom::Dom;

/// One review found on a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    /// Reviewer name.
    pub author: Option<String>,
    /// When the review was written (RFC 3339 or `YYYY-MM-DD`).
    pub published: Option<String>,
    /// Rating on a 0-5 scale.
    pub rating: Option<f64>,
    /// The product reviewed.
    pub product: Option<String>,
    /// The review's headline.
    pub title: Option<String>,
    /// The review text.
    pub body: String,
}

/// A product's average rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateRating {
    /// Average rating on a 0-5 scale.
    pub rating: f64,
    /// How many ratings or reviews it averages, when given.
    pub count: Option<u64>,
    /// The product rated.
    pub product: Option<String>,
}

/// What the structured data of a page holds.
#[derive(Debug, Default)]
pub struct Found {
    pub reviews: Vec<Review>,
    pub aggregate: Option<AggregateRating>,
}

const MAX_JSON_DEPTH: usize = 40;

/// The schema.org type names of a JSON-LD or microdata object (`https://schema.org/Review` -> `Review`).
fn types(o: &Map<String, Value>) -> Vec<&str> {
    fn short(s: &str) -> &str {
        s.rsplit(['/', ':']).next().unwrap_or(s)
    }
    match o.get("@type") {
        Some(Value::String(s)) => s.split_whitespace().map(short).collect(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(short).collect(),
        _ => Vec::new(),
    }
}

/// A string from a value: a string, a number, the `name` of an object, the first of an array.
pub fn text(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(o) => return o.get("name").and_then(text),
        Value::Array(a) => return a.iter().find_map(text),
        _ => return None,
    };
    let s = super::dom::fold(&s);
    (!s.is_empty()).then_some(s)
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        Value::Array(a) => number(a.first()),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite())
}

/// A rating on a 0-5 scale: `value / best * 5`, with `best` 5 unless given.
pub fn normalise(value: f64, best: Option<f64>) -> Option<f64> {
    let best = best
        .filter(|b| *b > 0.0)
        .unwrap_or(if value > 5.0 { 100.0 } else { 5.0 });
    let r = value / best * 5.0;
    (r.is_finite() && r >= 0.0).then(|| ((r.min(5.0)) * 100.0).round() / 100.0)
}

fn rating_of(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Object(o) => normalise(number(o.get("ratingValue"))?, number(o.get("bestRating"))),
        other => normalise(number(Some(other))?, None),
    }
}

/// Collect reviews and the aggregate rating from JSON-LD blocks and the page's microdata.
pub fn find(json_ld: &[Value], dom: &Dom, cst: bool) -> Found {
    let mut found = Found::default();
    for v in json_ld {
        walk(v, None, &mut found, 0, cst);
    }
    for item in microdata(dom) {
        walk(&item, None, &mut found, 0, cst);
    }
    // The same review may be marked up twice (JSON-LD and microdata).
    let mut seen = std::collections::HashSet::new();
    found
        .reviews
        .retain(|r| seen.insert((r.body.clone(), r.author.clone())));
    found
}

fn walk(v: &Value, product: Option<&str>, found: &mut Found, depth: usize, cst: bool) {
    if depth > MAX_JSON_DEPTH {
        return;
    }
    match v {
        Value::Array(a) => {
            for x in a {
                walk(x, product, found, depth + 1, cst);
            }
        }
        Value::Object(o) => {
            let ts = types(o);
            if ts.contains(&"Review") || ts.contains(&"UserReview") || ts.contains(&"CriticReview")
            {
                if let Some(r) = review(o, product, cst) {
                    found.reviews.push(r);
                }
                return;
            }
            if ts.contains(&"AggregateRating") {
                aggregate(o, product, found);
                return;
            }
            // Anything carrying reviews or ratings is the product they are about.
            let is_product = o.contains_key("review")
                || o.contains_key("reviews")
                || o.contains_key("aggregateRating");
            let name = if is_product {
                o.get("name").and_then(text)
            } else {
                None
            };
            let product = name.as_deref().or(product);
            for (k, x) in o {
                if k == "aggregateRating"
                    && let Value::Object(a) = x
                {
                    aggregate(a, product, found);
                    continue;
                }
                if k == "review" || k == "reviews" {
                    // Reviews listed under a product may omit their @type.
                    let list: Vec<&Value> = match x {
                        Value::Array(a) => a.iter().collect(),
                        other => vec![other],
                    };
                    for r in list {
                        if let Value::Object(ro) = r
                            && types(ro).is_empty()
                        {
                            if let Some(r) = review(ro, product, cst) {
                                found.reviews.push(r);
                            }
                        } else {
                            walk(r, product, found, depth + 1, cst);
                        }
                    }
                    continue;
                }
                if matches!(x, Value::Object(_) | Value::Array(_)) {
                    walk(x, product, found, depth + 1, cst);
                }
            }
        }
        _ => {}
    }
}

fn aggregate(o: &Map<String, Value>, product: Option<&str>, found: &mut Found) {
    if found.aggregate.is_some() {
        return;
    }
    let Some(rating) =
        number(o.get("ratingValue")).and_then(|v| normalise(v, number(o.get("bestRating"))))
    else {
        return;
    };
    let count = number(o.get("reviewCount"))
        .or_else(|| number(o.get("ratingCount")))
        .filter(|c| *c >= 0.0)
        .map(|c| c as u64);
    let product = product
        .map(str::to_string)
        .or_else(|| o.get("itemReviewed").and_then(text));
    found.aggregate = Some(AggregateRating {
        rating,
        count,
        product,
    });
}

fn review(o: &Map<String, Value>, product: Option<&str>, cst: bool) -> Option<Review> {
    let body = ["reviewBody", "description", "text"]
        .iter()
        .find_map(|k| o.get(*k).and_then(text))?;
    let published = ["datePublished", "dateCreated"]
        .iter()
        .find_map(|k| o.get(*k).and_then(text))
        .and_then(|d| super::dates::parse(&d, None, cst));
    Some(Review {
        author: o.get("author").and_then(text),
        published,
        rating: rating_of(o.get("reviewRating")),
        product: o
            .get("itemReviewed")
            .and_then(text)
            .or_else(|| product.map(str::to_string)),
        title: o.get("name").or_else(|| o.get("headline")).and_then(text),
        body,
    })
}

/// Microdata items (`itemscope` without `itemprop`) as JSON objects with `@type` and properties.
pub fn microdata(dom: &Dom) -> Vec<Value> {
    let mut items = Vec::new();
    for (i, n) in dom.nodes.iter().enumerate() {
        if n.attr("itemscope").is_some()
            && n.attr("itemprop").is_none()
            && n.attr("itemtype").is_some()
        {
            // Only top-level items: nested ones are read as properties.
            let mut p = n.parent;
            let mut nested = false;
            while p != u32::MAX {
                let pn = &dom.nodes[p as usize];
                if pn.attr("itemscope").is_some() {
                    nested = true;
                    break;
                }
                p = pn.parent;
            }
            if !nested {
                items.push(item(dom, i, 0));
            }
        }
        if items.len() >= 1000 {
            break;
        }
    }
    items
}

fn item(dom: &Dom, i: usize, depth: usize) -> Value {
    let mut o = Map::new();
    if let Some(t) = dom.nodes[i].attr("itemtype") {
        o.insert("@type".into(), Value::String(t.to_string()));
    }
    let mut stack: Vec<usize> = dom.nodes[i]
        .children
        .iter()
        .rev()
        .map(|&c| c as usize)
        .collect();
    while let Some(j) = stack.pop() {
        let n = &dom.nodes[j];
        if n.is_text() {
            continue;
        }
        let scope = n.attr("itemscope").is_some();
        if let Some(props) = n.attr("itemprop") {
            let value = if scope {
                if depth < 8 {
                    item(dom, j, depth + 1)
                } else {
                    Value::Null
                }
            } else {
                let v = match n.tag {
                    "meta" => n.attr("content").map(str::to_string),
                    "a" | "link" | "area" => n.attr("href").map(str::to_string),
                    "img" | "audio" | "source" => n.attr("src").map(str::to_string),
                    "time" => n.attr("datetime").map(str::to_string),
                    "data" | "meter" => n.attr("value").map(str::to_string),
                    _ => n.attr("content").map(str::to_string),
                };
                Value::String(v.unwrap_or_else(|| dom.text_of(j)))
            };
            for p in props.split_whitespace() {
                match o.get_mut(p) {
                    Some(Value::Array(a)) => a.push(value.clone()),
                    Some(old) => {
                        let first = old.take();
                        *old = Value::Array(vec![first, value.clone()]);
                    }
                    None => {
                        o.insert(p.to_string(), value.clone());
                    }
                }
            }
        }
        if !scope {
            stack.extend(n.children.iter().rev().map(|&c| c as usize));
        }
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Html;

    #[test]
    fn json_ld_product_reviews() {
        let v: Value = serde_json::from_str(
            r#"{"@context":"https://schema.org","@type":"Product","name":"电热水壶",
            "aggregateRating":{"@type":"AggregateRating","ratingValue":"4.2","reviewCount":"31"},
            "review":[{"@type":"Review","author":{"@type":"Person","name":"小王"},"datePublished":"2024-03-01",
              "reviewBody":"烧水很快，做工不错。","reviewRating":{"@type":"Rating","ratingValue":9,"bestRating":10}},
              {"author":"Li","reviewBody":"Leaks after a week.","reviewRating":{"ratingValue":"1"}}]}"#,
        )
        .unwrap();
        let f = find(&[v], &Dom::default(), true);
        assert_eq!(f.reviews.len(), 2);
        assert_eq!(f.reviews[0].rating, Some(4.5));
        assert_eq!(f.reviews[0].author.as_deref(), Some("小王"));
        assert_eq!(f.reviews[0].product.as_deref(), Some("电热水壶"));
        assert_eq!(f.reviews[1].rating, Some(1.0));
        let agg = f.aggregate.unwrap();
        assert_eq!((agg.rating, agg.count), (4.2, Some(31)));
    }

    #[test]
    fn microdata_reviews() {
        let html = Html::parse_document(
            r#"<div itemscope itemtype="https://schema.org/Product"><h1 itemprop="name">Kettle</h1>
            <div itemprop="review" itemscope itemtype="https://schema.org/Review">
              <span itemprop="author">Ann</span> <meta itemprop="datePublished" content="2024-02-10">
              <div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">
                <meta itemprop="ratingValue" content="2"><meta itemprop="bestRating" content="5"></div>
              <p itemprop="reviewBody">Slow to boil.</p></div></div>"#,
        );
        let f = find(&[], &Dom::from_html(&html), false);
        assert_eq!(
            f.reviews,
            vec![Review {
                author: Some("Ann".into()),
                published: Some("2024-02-10".into()),
                rating: Some(2.0),
                product: Some("Kettle".into()),
                title: None,
                body: "Slow to boil.".into(),
            }]
        );
    }

    #[test]
    fn normalises() {
        assert_eq!(normalise(80.0, None), Some(4.0));
        assert_eq!(normalise(3.0, Some(5.0)), Some(3.0));
        assert_eq!(normalise(7.0, Some(5.0)), Some(5.0));
        assert_eq!(normalise(-1.0, None), None);
    }
}

//! Canonical URLs, site names and stable document ids.

use xxhash_rust::xxh3::xxh3_64;

/// Query parameters that only track the visitor and never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "spm",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "scm",
    "from",
    "share_token",
    "share_source",
    "vd_source",
    "ref_src",
];

/// The canonical form of a URL: lower-case scheme and host, default port and fragment removed,
/// tracking parameters (`utm_*`, `spm`, `fbclid`, ...) dropped, the rest sorted. `None` when
/// the URL does not parse.
pub fn canonical_url(raw: &str) -> Option<String> {
    let mut url = url::Url::parse(raw.trim()).ok()?;
    url.set_fragment(None);
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("utm_") && !TRACKING_PARAMS.contains(&k.as_str())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    Some(url.to_string())
}

/// The site of a URL: its host, lower-cased, without a leading `www.`.
pub fn site_of(raw: &str) -> Option<String> {
    let url = url::Url::parse(raw).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

fn hex(h: u64) -> String {
    format!("{h:016x}")
}

/// Text with runs of whitespace folded, for hashing content.
fn fold_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A stable id for a document without one. Articles with a URL take `u-` plus a hash of the
/// canonical URL (so re-fetching a page replaces it); reviews with a URL take `r-` plus a hash
/// of the URL and their text (a page holds many reviews); anything else takes `h-` plus a hash
/// of its title and text.
pub fn derive_id(url: Option<&str>, title: Option<&str>, body: &str, review: bool) -> String {
    match url.and_then(canonical_url) {
        Some(u) if !review => format!("u-{}", hex(xxh3_64(u.as_bytes()))),
        Some(u) => format!(
            "r-{}",
            hex(xxh3_64(format!("{u}\n{}", fold_space(body)).as_bytes()))
        ),
        None => format!(
            "h-{}",
            hex(xxh3_64(
                format!("{}\n{}", fold_space(title.unwrap_or("")), fold_space(body)).as_bytes()
            ))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises() {
        assert_eq!(
            canonical_url("HTTPS://News.Example:443/a?utm_source=x&b=2&a=1&spm=3#top").unwrap(),
            "https://news.example/a?a=1&b=2"
        );
        assert_eq!(
            canonical_url("http://x.example:80/").unwrap(),
            "http://x.example/"
        );
        assert!(canonical_url("not a url").is_none());
    }

    #[test]
    fn ids_are_stable() {
        let a = derive_id(Some("https://x.example/a?utm_medium=1"), None, "t", false);
        assert_eq!(
            a,
            derive_id(Some("https://x.example/a"), None, "other", false)
        );
        let r1 = derive_id(Some("https://x.example/a"), None, "good", true);
        let r2 = derive_id(Some("https://x.example/a"), None, "bad", true);
        assert_ne!(r1, r2);
        assert_eq!(
            derive_id(None, Some("t"), "a  b", false),
            derive_id(None, Some("t"), "a b", false)
        );
    }
}

//! robots.txt per host (texting_robots), read the RFC 9309 way: 2xx rules apply, 4xx means everything is allowed, 5xx or no answer means wait and retry.

use serde::{Deserialize, Serialize};

/// robots.txt bodies larger than this are cut (RFC 9309 asks parsers to read at least 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// The rules of one host.
pub enum Robots {
    /// No usable robots.txt (4xx): everything allowed.
    AllowAll,
    /// Parsed rules for our user agent.
    Rules(Box<texting_robots::Robot>),
}

/// What is kept of a host across runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostRecord {
    /// The robots.txt text, `None` when the host had none (allow all).
    pub robots_txt: Option<String>,
}

/// The product token of a User-Agent (`shoptalk/0.1 (+url)` -> `shoptalk`), which robots.txt
/// groups are matched against.
pub fn agent_token(user_agent: &str) -> &str {
    user_agent
        .split(['/', ' '])
        .next()
        .filter(|t| !t.is_empty())
        .unwrap_or("*")
}

impl Robots {
    /// Rules from a robots.txt body (cut at [`MAX_ROBOTS_BYTES`]); unparseable text allows all.
    pub fn parse(agent: &str, body: &[u8]) -> Robots {
        let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
        match texting_robots::Robot::new(agent, body) {
            Ok(r) => Robots::Rules(Box::new(r)),
            Err(_) => Robots::AllowAll,
        }
    }

    /// From a stored record.
    pub fn from_record(agent: &str, rec: &HostRecord) -> Robots {
        match &rec.robots_txt {
            Some(t) => Robots::parse(agent, t.as_bytes()),
            None => Robots::AllowAll,
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::Rules(r) => {
                // robots.txt itself is always allowed.
                url.ends_with("/robots.txt") || r.allowed(url)
            }
        }
    }

    /// The Crawl-delay in seconds, when given.
    pub fn crawl_delay(&self) -> Option<f32> {
        match self {
            Robots::AllowAll => None,
            Robots::Rules(r) => r.delay,
        }
    }

    /// The Sitemap lines.
    pub fn sitemaps(&self) -> &[String] {
        match self {
            Robots::AllowAll => &[],
            Robots::Rules(r) => &r.sitemaps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_delay_and_sitemaps() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: shoptalk\nDisallow: /admin/\nCrawl-delay: 0.5\n\nSitemap: http://a.test/sitemap.xml\n";
        let r = Robots::parse(agent_token("shoptalk/0.1 (+https://x.test)"), txt);
        assert!(!r.allowed("http://a.test/admin/x"));
        assert!(r.allowed("http://a.test/private/x"));
        assert_eq!(r.crawl_delay(), Some(0.5));
        assert_eq!(r.sitemaps(), ["http://a.test/sitemap.xml"]);
        let other = Robots::parse("otherbot", txt);
        assert!(!other.allowed("http://a.test/private/x"));
        assert!(Robots::AllowAll.allowed("http://a.test/admin/"));
    }
}

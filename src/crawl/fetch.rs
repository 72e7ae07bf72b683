//! HTTP fetching (reqwest, rustls): one request with timeouts, no automatic redirects, a body cap, content-type checks, and `--resolve` host mapping.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderMap, LOCATION, RETRY_AFTER};

use crate::error::{Error, Result};

/// How the client behaves.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// The User-Agent header.
    pub user_agent: String,
    /// Connection timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (headers and body).
    pub timeout: Duration,
    /// Bodies larger than this are not kept.
    pub max_body: usize,
    /// `host[:port]` -> address to connect to instead of resolving the host.
    pub resolve: HashMap<String, SocketAddr>,
}

/// One HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// `HTTP/1.1` and the like.
    pub version: &'static str,
    /// The reason phrase.
    pub reason: String,
    /// Headers in order, for the WARC record.
    pub headers: Vec<(String, String)>,
    /// The body (decompressed from Content-Encoding), empty when `body_skipped`.
    pub body: Vec<u8>,
    /// Why the body was not read (over the cap, or a type not wanted).
    pub body_skipped: Option<String>,
}

impl Response {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The media type of Content-Type, lower-case, without parameters.
    pub fn media_type(&self) -> Option<String> {
        self.header(CONTENT_TYPE.as_str()).map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// The charset parameter of Content-Type.
    pub fn charset(&self) -> Option<&str> {
        self.header(CONTENT_TYPE.as_str())?
            .split(';')
            .find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("charset")
                    .then(|| v.trim().trim_matches('"'))
            })
    }

    /// The Location header.
    pub fn location(&self) -> Option<&str> {
        self.header(LOCATION.as_str())
    }

    /// The Retry-After header.
    pub fn retry_after(&self) -> Option<&str> {
        self.header(RETRY_AFTER.as_str())
    }
}

/// Why a request got no response.
#[derive(Debug, Clone)]
pub enum FetchError {
    /// Connect or read took too long.
    Timeout,
    /// Could not connect or the connection broke; worth retrying.
    Network(String),
    /// The request cannot be made (bad URL and the like); not worth retrying.
    Fatal(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Timeout => write!(f, "timed out"),
            FetchError::Network(e) => write!(f, "network error: {e}"),
            FetchError::Fatal(e) => write!(f, "{e}"),
        }
    }
}

/// Which content types are read: HTML, XML, feeds and plain text; gzip for sitemaps.
pub fn wanted_type(media: Option<&str>) -> bool {
    match media {
        None | Some("") => true,
        Some(m) => {
            m == "text/html"
                || m == "application/xhtml+xml"
                || m == "text/plain"
                || m.ends_with("/xml")
                || m.ends_with("+xml")
                || m == "application/gzip"
                || m == "application/x-gzip"
        }
    }
}

/// An HTTP client shared by every request of a crawl.
pub struct Fetcher {
    client: reqwest::Client,
    opts: FetchOptions,
}

impl Fetcher {
    /// A client with the given options.
    pub fn new(opts: FetchOptions) -> Result<Fetcher> {
        let client = reqwest::Client::builder()
            .user_agent(opts.user_agent.clone())
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        Ok(Fetcher { client, opts })
    }

    /// The largest body kept.
    pub fn max_body(&self) -> usize {
        self.opts.max_body
    }

    /// GET `url`. The body is read when `want_body` says yes to the content type and it fits
    /// the cap; otherwise `body_skipped` says why.
    pub async fn get(
        &self,
        url: &str,
        want_body: impl Fn(Option<&str>) -> bool,
    ) -> std::result::Result<Response, FetchError> {
        let parsed =
            url::Url::parse(url).map_err(|e| FetchError::Fatal(format!("bad URL: {e}")))?;
        let mut target = parsed.clone();
        let mut headers = HeaderMap::new();
        if let Some(host) = parsed.host_str() {
            let port = parsed.port_or_known_default().unwrap_or(80);
            if let Some(addr) = self.opts.resolve.get(&format!("{host}:{port}")) {
                let _ = target.set_ip_host(addr.ip());
                let _ = target.set_port(Some(addr.port()));
                let authority = match parsed.port() {
                    Some(p) => format!("{host}:{p}"),
                    None => host.to_string(),
                };
                if let Ok(v) = authority.parse() {
                    headers.insert(HOST, v);
                }
            }
        }
        let resp = self
            .client
            .get(target)
            .headers(headers)
            .send()
            .await
            .map_err(classify)?;
        let status = resp.status();
        let version = match resp.version() {
            reqwest::Version::HTTP_09 => "HTTP/0.9",
            reqwest::Version::HTTP_10 => "HTTP/1.0",
            reqwest::Version::HTTP_2 => "HTTP/2",
            reqwest::Version::HTTP_3 => "HTTP/3",
            _ => "HTTP/1.1",
        };
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut out = Response {
            status: status.as_u16(),
            version,
            reason: status.canonical_reason().unwrap_or("").to_string(),
            headers,
            body: Vec::new(),
            body_skipped: None,
        };
        let media = out.media_type();
        if !want_body(media.as_deref()) {
            out.body_skipped = Some(format!(
                "content type {} not crawled",
                media.as_deref().unwrap_or("(none)")
            ));
            return Ok(out);
        }
        let declared = out
            .header(CONTENT_LENGTH.as_str())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.opts.max_body as u64) {
            out.body_skipped = Some(format!(
                "body larger than {} bytes (Content-Length {})",
                self.opts.max_body,
                declared.unwrap_or(0)
            ));
            return Ok(out);
        }
        let mut resp = resp;
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.opts.max_body {
                out.body_skipped = Some(format!("body larger than {} bytes", self.opts.max_body));
                return Ok(out);
            }
            body.extend_from_slice(&chunk);
        }
        out.body = body;
        Ok(out)
    }
}

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_builder() {
        FetchError::Fatal(e.to_string())
    } else {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg = format!("{msg}: {s}");
            src = s.source();
        }
        FetchError::Network(msg)
    }
}

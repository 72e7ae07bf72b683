//! A small static web server (axum) for bundled sites: the demo serves the embedded sample site (`corpora/sample-site/`) on a loopback port with it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;

use crate::error::{Error, Result};

include!(concat!(env!("OUT_DIR"), "/sample_site.rs"));

/// The host name the sample site is crawled under (mapped to the loopback port with
/// `resolve`, so document URLs and ids stay the same from one demo run to the next).
pub const SAMPLE_HOST: &str = "sample-site.test";

/// The content type for a file name.
fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "txt" => "text/plain; charset=utf-8",
        "css" => "text/css",
        "gz" => "application/gzip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    }
}

/// The file for a request path: `/` and `/dir/` serve `index.html`.
fn lookup<'a>(files: &'a [(&'a str, &'a [u8])], path: &str) -> Option<(&'a str, &'a [u8])> {
    let p = path.trim_start_matches('/');
    let want = if p.is_empty() || p.ends_with('/') {
        format!("{p}index.html")
    } else {
        p.to_string()
    };
    files
        .iter()
        .find(|(n, _)| *n == want)
        .map(|(n, b)| (*n, *b))
}

/// A running static server.
pub struct Served {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// Serve `files` on 127.0.0.1 (a free port) inside the current tokio runtime until the
/// returned handle is dropped.
pub async fn serve(files: &'static [(&'static str, &'static [u8])]) -> Result<Served> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Error::Internal(format!("cannot listen on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Internal(e.to_string()))?;
    let files = Arc::new(files);
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let files = files.clone();
        async move {
            match lookup(&files, uri.path()) {
                Some((name, bytes)) => {
                    let mut r = Response::new(Body::from(bytes));
                    r.headers_mut().insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(content_type(name)),
                    );
                    r
                }
                None => {
                    let mut r = Response::new(Body::from("not found"));
                    *r.status_mut() = StatusCode::NOT_FOUND;
                    r
                }
            }
        }
    });
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
    });
    Ok(Served {
        addr,
        stop: Some(tx),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_index_files() {
        let files: &[(&str, &[u8])] = &[
            ("index.html", b"i"),
            ("a/index.html", b"a"),
            ("robots.txt", b"r"),
        ];
        assert_eq!(lookup(files, "/").unwrap().1, b"i");
        assert_eq!(lookup(files, "/a/").unwrap().1, b"a");
        assert_eq!(lookup(files, "/robots.txt").unwrap().1, b"r");
        assert!(lookup(files, "/missing").is_none());
        assert_eq!(content_type("x.html"), "text/html");
    }

    #[test]
    fn sample_site_is_embedded() {
        assert!(SAMPLE_SITE.iter().any(|(n, _)| *n == "robots.txt"));
        assert!(SAMPLE_SITE.iter().any(|(n, _)| *n == "index.html"));
    }
}

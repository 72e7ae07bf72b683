//! Fuzz extraction: any bytes must give a page or a skip reason, never a panic or a hang.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shoptalk::extract::{Options, Rules, extract, read_bounded};

static RULES: LazyLock<Rules> = LazyLock::new(|| {
    Rules::parse("[[site]]\nhost = \"*\"\nreview = \"li.r\"\ntext = \"p\"\nrating = \".s\"\n")
        .expect("rules")
});

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        url: Some("https://shop.example/p/1"),
        fetched: chrono::DateTime::parse_from_rfc3339("2024-05-10T12:00:00+08:00").ok(),
        rules: Some(&RULES),
        ..Options::default()
    };
    if let Ok(page) = extract(data, &opts) {
        // Paragraphs are separated by one blank line and never empty.
        assert!(!page.body.contains("\n\n\n"));
        for r in &page.reviews {
            assert!(r.rating.is_none_or(|x| (0.0..=5.0).contains(&x)));
        }
        for d in page.documents(None, Some("fuzz")) {
            assert!(!d.body.trim().is_empty());
        }
    }
    // Gzip input goes through the bounded reader.
    let _ = read_bounded(data);
});

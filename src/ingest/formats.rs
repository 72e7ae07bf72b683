//! Readers for files that are not web pages: Markdown with YAML front matter, plain text, CSV
//! reviews with a column mapping, and JSONL in the corpus schema.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};
use yaml_rust2::{Yaml, YamlLoader};

use crate::corpus::{Document, LineReader, RawDocument};
use crate::error::{Error, Result};

/// Text files larger than this are skipped.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;

/// A document, or why one input record was skipped (`file:line: message`).
pub type Item = std::result::Result<Document, String>;

fn validate(path: &Path, line: Option<usize>, v: Value) -> Item {
    let at = match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    };
    let raw: RawDocument = serde_json::from_value(v).map_err(|e| format!("{at}: {e}"))?;
    raw.validate().map_err(|e| format!("{at}: {e}"))
}

/// Read a whole text file (bounded) and decode it (BOM, UTF-8, else detection).
pub fn read_text(path: &Path) -> std::result::Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_TEXT_BYTES {
        return Err(format!("larger than {} MB", MAX_TEXT_BYTES >> 20));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    if crate::extract::charset::looks_binary(&bytes) {
        return Err("binary content, not text".into());
    }
    Ok(crate::extract::charset::decode(&bytes, None).text)
}

static HTML_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->|</?[A-Za-z][^>]{0,500}>").expect("regex"));
static MD_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"!\[([^\]]*)\]\([^)]*\)").expect("regex"));
static MD_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").expect("regex"));
static MD_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\*\*|__|\*|`|~~)").expect("regex"));
static MD_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)").expect("regex"));

/// Markdown (with HTML inside) as plain paragraphs.
pub fn markdown_to_text(md: &str) -> String {
    let md = HTML_TAG.replace_all(md, "");
    let mut paras: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut fence = false;
    for line in md.lines() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if !fence
            && (t.is_empty()
                || t.chars()
                    .all(|c| matches!(c, '-' | '=' | '*' | '_' | '|' | ':' | ' ')))
        {
            if !cur.trim().is_empty() {
                paras.push(std::mem::take(&mut cur));
            }
            cur.clear();
            continue;
        }
        let mut l = if fence {
            line.to_string()
        } else {
            MD_PREFIX.replace(line, "").into_owned()
        };
        if !fence {
            l = MD_IMAGE.replace_all(&l, "$1").into_owned();
            l = MD_LINK.replace_all(&l, "$1").into_owned();
            l = MD_MARK.replace_all(&l, "").into_owned();
            l = l.replace('|', " ");
        }
        if !cur.is_empty() {
            // Chinese lines join without a space.
            let glue = cur.chars().last().is_some_and(crate::analyze::is_cjk)
                && l.trim_start()
                    .chars()
                    .next()
                    .is_some_and(crate::analyze::is_cjk);
            if !glue {
                cur.push(' ');
            }
        }
        cur.push_str(l.trim());
    }
    if !cur.trim().is_empty() {
        paras.push(cur);
    }
    let paras: Vec<String> = paras
        .iter()
        .map(|p| decode_entities(&crate::extract::fold_text(p)))
        .filter(|p| !p.is_empty())
        .collect();
    paras.join("\n\n")
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn yaml_str(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(yaml_str).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        _ => None,
    }
}

/// A Markdown file: YAML front matter (title, date, author, categories, url, lang, id) and the
/// text with Markdown and HTML stripped. Categories are kept in `product` only when the front
/// matter says `product:`; otherwise they are not part of the document model.
pub fn markdown(path: &Path, source: &str) -> Vec<Item> {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => return vec![Err(format!("{}: {e}", path.display()))],
    };
    let text = text.trim_start_matches('\u{feff}');
    let (front, body) = split_front_matter(text);
    let mut meta = json!({"source": source});
    if let Some(front) = front {
        let docs = match YamlLoader::load_from_str(front) {
            Ok(d) => d,
            Err(e) => return vec![Err(format!("{}: front matter: {e}", path.display()))],
        };
        if let Some(Yaml::Hash(h)) = docs.first() {
            for (k, v) in h {
                let (Some(k), Some(v)) = (k.as_str(), yaml_str(v)) else {
                    continue;
                };
                let field = match k.to_ascii_lowercase().as_str() {
                    "title" => "title",
                    "date" | "published" | "pubdate" => "published",
                    "author" | "authors" => "author",
                    "url" | "link" | "canonical" => "url",
                    "lang" | "language" => "lang",
                    "id" => "id",
                    "product" => "product",
                    "kind" => "kind",
                    "rating" => "rating",
                    _ => continue,
                };
                let value = if field == "published" {
                    match crate::extract::dates::parse(&v, None, false) {
                        Some(d) => Value::String(d),
                        None => {
                            return vec![Err(format!(
                                "{}: front matter: field \"date\": {v:?} is not a date",
                                path.display()
                            ))];
                        }
                    }
                } else if field == "rating" {
                    match v.parse::<f64>() {
                        Ok(r) => json!(r),
                        Err(_) => {
                            return vec![Err(format!(
                                "{}: front matter: field \"rating\": {v:?} is not a number",
                                path.display()
                            ))];
                        }
                    }
                } else {
                    Value::String(v)
                };
                meta[field] = value;
            }
        }
    }
    meta["body"] = Value::String(markdown_to_text(body));
    vec![validate(path, None, meta)]
}

/// Split `---\nYAML\n---\nbody`; front matter over 64 KB is not read as such.
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text.strip_prefix("---") else {
        return (None, text);
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let Some(rest) = rest
        .strip_prefix('\n')
        .or_else(|| rest.strip_prefix("\r\n"))
    else {
        return (None, text);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return (Some(&rest[..offset]), &rest[offset + line.len()..]);
        }
        offset += line.len();
        if offset > 64 * 1024 {
            break;
        }
    }
    (None, text)
}

/// A plain-text file: the whole text as one article; a short first line followed by a blank
/// line is its title.
pub fn plain_text(path: &Path, source: &str) -> Vec<Item> {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(e) => return vec![Err(format!("{}: {e}", path.display()))],
    };
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let (title, body) = match text.split_once("\n\n") {
        Some((first, rest))
            if !first.contains('\n') && first.chars().count() <= 100 && !rest.trim().is_empty() =>
        {
            (Some(first.trim().to_string()), rest.to_string())
        }
        _ => (None, text.clone()),
    };
    let paras: Vec<String> = body
        .split("\n\n")
        .map(crate::extract::fold_text)
        .filter(|p| !p.is_empty())
        .collect();
    vec![validate(
        path,
        None,
        json!({"title": title, "body": paras.join("\n\n"), "source": source}),
    )]
}

/// Which CSV column feeds which document field (`--map text=content,rating=stars,date=created`).
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    pairs: Vec<(String, String)>,
}

/// Document fields a CSV column can feed.
const CSV_FIELDS: &[&str] = &[
    "text", "rating", "date", "title", "author", "product", "url", "id", "lang", "kind",
];

impl ColumnMap {
    /// Parse `field=column,field=column`.
    pub fn parse(spec: &str) -> Result<ColumnMap> {
        let mut pairs = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((field, column)) = part.split_once('=') else {
                return Err(Error::invalid(format!(
                    "--map {part:?}: expected FIELD=COLUMN"
                )));
            };
            let field = field.trim().to_ascii_lowercase();
            if !CSV_FIELDS.contains(&field.as_str()) {
                return Err(Error::invalid(format!(
                    "--map: unknown field {field:?} (expected one of {})",
                    CSV_FIELDS.join(", ")
                )));
            }
            pairs.push((field, column.trim().to_string()));
        }
        Ok(ColumnMap { pairs })
    }

    /// The column for a field: mapped, else a column named like the field (or `body`,
    /// `content`, `review` for text; `stars`, `score` for rating; `published` for date).
    fn column(&self, field: &str, headers: &[String]) -> Option<usize> {
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        if let Some((_, c)) = self.pairs.iter().find(|(f, _)| f == field) {
            return find(c);
        }
        let fallbacks: &[&str] = match field {
            "text" => &["text", "body", "content", "review", "comment"],
            "rating" => &["rating", "stars", "score"],
            "date" => &["date", "published", "created"],
            other => return find(other),
        };
        fallbacks.iter().find_map(|n| find(n))
    }

    fn mapped_columns(&self) -> impl Iterator<Item = &(String, String)> {
        self.pairs.iter()
    }
}

/// A CSV (or TSV) file of reviews: one document per row, rows that do not validate are skipped
/// with their line number. `rating_scale` is the best rating on the file's scale.
pub fn csv_reviews(
    path: &Path,
    map: &ColumnMap,
    rating_scale: f64,
    source: &str,
    out: &mut dyn FnMut(Item),
) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::user_io(path, e))?;
    let tsv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(if tsv { b'\t' } else { b',' })
        .flexible(false)
        .from_reader(super::LineCap::strict(file, 4 << 20));
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::bad_line(path, 1, format!("bad CSV header: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    for (field, col) in map.mapped_columns() {
        if !headers.iter().any(|h| h.trim().eq_ignore_ascii_case(col)) {
            return Err(Error::bad_file(
                path,
                format!(
                    "--map {field}={col}: no column {col:?} (columns: {})",
                    headers.join(", ")
                ),
            ));
        }
    }
    let Some(text_col) = map.column("text", &headers) else {
        return Err(Error::bad_file(
            path,
            format!(
                "no text column (name one with --map text=COLUMN; columns: {})",
                headers.join(", ")
            ),
        ));
    };
    let cols: Vec<(&str, Option<usize>)> = [
        "rating", "date", "title", "author", "product", "url", "id", "lang", "kind",
    ]
    .iter()
    .map(|f| (*f, map.column(f, &headers)))
    .collect();
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line() as usize;
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map_or(line, |p| p.line() as usize);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    out(Err(format!(
                        "{}:{at}: {e}; the rest of the file is skipped",
                        path.display()
                    )));
                    break;
                }
                out(Err(format!("{}:{at}: {}", path.display(), csv_message(&e))));
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let mut v = json!({"body": get(Some(text_col)), "source": source, "kind": "review"});
        for (field, col) in &cols {
            let Some(value) = get(*col) else { continue };
            match *field {
                "rating" => {
                    let Some(r) = value
                        .parse::<f64>()
                        .ok()
                        .and_then(|r| crate::extract::reviews::normalise(r, Some(rating_scale)))
                        .filter(|_| value.parse::<f64>().is_ok_and(|r| r <= rating_scale))
                    else {
                        out(Err(format!(
                            "{}:{line}: field \"rating\": {value:?} is not a number from 0 to {rating_scale}",
                            path.display()
                        )));
                        v = Value::Null;
                        break;
                    };
                    v["rating"] = json!(r);
                }
                "date" => match crate::extract::dates::parse(value, None, false) {
                    Some(d) => v["published"] = json!(d),
                    None => {
                        out(Err(format!(
                            "{}:{line}: field \"date\": {value:?} is not a date",
                            path.display()
                        )));
                        v = Value::Null;
                        break;
                    }
                },
                f => v[f] = json!(value),
            }
        }
        if v.is_null() {
            continue;
        }
        out(validate(path, Some(line), v));
    }
    Ok(())
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("expected {expected_len} fields, found {len}")
        }
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".into(),
        _ => e.to_string(),
    }
}

/// A JSONL file in the corpus schema: invalid lines are skipped with their number.
pub fn jsonl(path: &Path, source: &str, out: &mut dyn FnMut(Item)) -> Result<()> {
    let mut reader = LineReader::open(path)?;
    while let Some(batch) = reader.next_batch(1024)? {
        for (line, text) in batch {
            let item = text.and_then(|t| {
                let mut v: Value =
                    serde_json::from_str(&t).map_err(|e| format!("invalid JSON: {e}"))?;
                if let Value::Object(o) = &mut v
                    && !o.contains_key("source")
                {
                    o.insert("source".into(), json!(source));
                }
                let raw: RawDocument = serde_json::from_value(v).map_err(|e| e.to_string())?;
                raw.validate()
            });
            out(item.map_err(|e| format!("{}:{line}: {e}", path.display())));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_markdown_and_html() {
        let t = markdown_to_text(
            "# 标题\n\n海外仓**租金**上涨，<b>卖家</b>\n调整定价。\n\n- [链接](http://x) one\n\n```\ncode\n```\n",
        );
        assert_eq!(
            t,
            "标题\n\n海外仓租金上涨，卖家调整定价。\n\n链接 one\n\ncode"
        );
    }

    #[test]
    fn front_matter() {
        let (f, b) = split_front_matter("---\ntitle: x\n---\nbody");
        assert_eq!((f, b), (Some("title: x\n"), "body"));
        assert_eq!(split_front_matter("--- not\nbody").0, None);
    }

    #[test]
    fn column_maps() {
        let m = ColumnMap::parse("text=content, rating=stars").unwrap();
        let headers = vec!["id".to_string(), "Content".into(), "stars".into()];
        assert_eq!(m.column("text", &headers), Some(1));
        assert_eq!(m.column("rating", &headers), Some(2));
        assert_eq!(m.column("id", &headers), Some(0));
        assert!(ColumnMap::parse("colour=x").is_err());
        assert!(ColumnMap::parse("text").is_err());
    }
}

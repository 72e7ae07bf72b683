//! Column scans over the documents matching a filtered query: tantivy collectors that read fast fields only (dates, tokens, ratings, site/lang/kind ordinals, packed theme codes), never stored text.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::{names, theme_code};

/// A grouping dimension for `export themes --by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dim {
    /// Calendar month of `published` (UTC).
    Month,
    /// Calendar quarter of `published` (UTC).
    Quarter,
    /// Calendar year of `published` (UTC).
    Year,
    /// The site (host name).
    Site,
    /// The language code.
    Lang,
    /// `article` or `review`.
    Kind,
}

impl Dim {
    /// Every dimension, in the order the help text lists them.
    pub const ALL: [Dim; 6] = [
        Dim::Month,
        Dim::Quarter,
        Dim::Year,
        Dim::Site,
        Dim::Lang,
        Dim::Kind,
    ];

    /// Parse a `--by` value.
    pub fn parse(s: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.name() == s)
    }

    /// The dimension's name, also its column name.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Month => "month",
            Dim::Quarter => "quarter",
            Dim::Year => "year",
            Dim::Site => "site",
            Dim::Lang => "lang",
            Dim::Kind => "kind",
        }
    }

    /// Whether this is a time dimension.
    pub fn is_time(self) -> bool {
        matches!(self, Dim::Month | Dim::Quarter | Dim::Year)
    }

    /// The time bucket of a Unix timestamp (months or quarters since year 0, or the year).
    pub fn bucket(self, secs: i64) -> i32 {
        let (y, m) = civil_from_days(secs.div_euclid(86_400));
        match self {
            Dim::Month => (y * 12 + (m as i64 - 1)) as i32,
            Dim::Quarter => (y * 4 + (m as i64 - 1) / 3) as i32,
            _ => y as i32,
        }
    }

    /// The label of a time bucket: `2023-04`, `2023-Q2` or `2023`.
    pub fn bucket_label(self, b: i32) -> String {
        match self {
            Dim::Month => format!("{:04}-{:02}", b.div_euclid(12), b.rem_euclid(12) + 1),
            Dim::Quarter => format!("{:04}-Q{}", b.div_euclid(4), b.rem_euclid(4) + 1),
            _ => format!("{b:04}"),
        }
    }
}

/// (year, month) of a day count since 1970-01-01 (proleptic Gregorian, H. Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m as u32)
}

/// A group key value in one dimension.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// A time bucket (see [`Dim::bucket`]).
    Time(i32),
    /// A site, language or kind.
    Str(String),
    /// No value: an undated document, a document without a site. Sorts last.
    Missing,
}

impl Key {
    /// The key as its table cell text: `undated` for a missing date, `(none)` for a missing
    /// site.
    pub fn label(&self, dim: Dim) -> String {
        match self {
            Key::Time(b) => dim.bucket_label(*b),
            Key::Str(s) => s.clone(),
            Key::Missing if dim.is_time() => "undated".into(),
            Key::Missing => "(none)".into(),
        }
    }
}

/// Counts of one theme in one group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThemeCounts {
    /// Documents with the theme assigned.
    pub docs: u64,
    /// Hits of the theme in every document of the group (assigned or not).
    pub hits: u64,
    /// Documents with the theme assigned and a rating.
    pub rated: u64,
    /// Sum of their ratings.
    pub rating_sum: f64,
}

/// Counts of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCounts {
    /// Documents in the group.
    pub docs: u64,
    /// Tokens in their titles and bodies.
    pub tokens: u64,
    /// Per theme, in taxonomy order.
    pub themes: Vec<ThemeCounts>,
}

impl GroupCounts {
    /// Zero counts for `n` themes.
    pub fn new(n: usize) -> GroupCounts {
        GroupCounts {
            docs: 0,
            tokens: 0,
            themes: vec![ThemeCounts::default(); n],
        }
    }

    fn add(&mut self, o: &GroupCounts) {
        self.docs += o.docs;
        self.tokens += o.tokens;
        for (a, b) in self.themes.iter_mut().zip(&o.themes) {
            a.docs += b.docs;
            a.hits += b.hits;
            a.rated += b.rated;
            a.rating_sum += b.rating_sum;
        }
    }
}

/// Counts per group key (one key per dimension), sorted.
pub type Groups = BTreeMap<Vec<Key>, GroupCounts>;

/// Collects [`GroupCounts`] by up to two dimensions from fast fields.
pub struct ThemeCollector {
    /// The grouping dimensions (none: one group with every document).
    pub dims: Vec<Dim>,
    /// Themes in the index's taxonomy.
    pub n_themes: usize,
}

enum DimReader {
    Time(Dim, Column<DateTime>),
    Str(StrColumn),
    Absent,
}

/// The per-segment side of [`ThemeCollector`].
pub struct ThemeSegment {
    dims: Vec<DimReader>,
    tokens: Column<u64>,
    rating: Option<Column<f64>>,
    codes: Column<u64>,
    n_themes: usize,
    index: FxHashMap<[u64; 2], usize>,
    groups: Vec<([u64; 2], GroupCounts)>,
}

const NONE: u64 = u64::MAX;

impl Collector for ThemeCollector {
    type Fruit = Groups;
    type Child = ThemeSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ThemeSegment> {
        let ff = reader.fast_fields();
        let mut dims = Vec::new();
        for &d in &self.dims {
            dims.push(match d {
                Dim::Month | Dim::Quarter | Dim::Year => match ff.column_opt(names::PUBLISHED)? {
                    Some(c) => DimReader::Time(d, c),
                    None => DimReader::Absent,
                },
                Dim::Site | Dim::Lang | Dim::Kind => {
                    let name = match d {
                        Dim::Site => names::SITE,
                        Dim::Lang => names::LANG,
                        _ => names::KIND,
                    };
                    ff.str(name)?.map_or(DimReader::Absent, DimReader::Str)
                }
            });
        }
        let tokens = ff.u64(names::TOKENS)?;
        let rating = ff.column_opt::<f64>(names::RATING)?;
        let codes = ff.u64(names::THEME_CODES)?;
        Ok(ThemeSegment {
            dims,
            tokens,
            rating,
            codes,
            n_themes: self.n_themes,
            index: FxHashMap::default(),
            groups: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Groups>) -> tantivy::Result<Groups> {
        let mut all = Groups::new();
        for f in fruits {
            for (k, g) in f {
                all.entry(k)
                    .or_insert_with(|| GroupCounts::new(self.n_themes))
                    .add(&g);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for ThemeSegment {
    type Fruit = Groups;

    fn collect(&mut self, doc: DocId, _: Score) {
        let mut key = [NONE; 2];
        for (k, d) in key.iter_mut().zip(&self.dims) {
            *k = match d {
                DimReader::Time(dim, c) => c
                    .first(doc)
                    .map_or(NONE, |t| dim.bucket(t.into_timestamp_secs()) as i64 as u64),
                DimReader::Str(c) => c.ords().first(doc).unwrap_or(NONE),
                DimReader::Absent => NONE,
            };
        }
        let slot = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                self.groups.push((key, GroupCounts::new(self.n_themes)));
                self.index.insert(key, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let rating = self.rating.as_ref().and_then(|c| c.first(doc));
        let g = &mut self.groups[slot].1;
        g.docs += 1;
        g.tokens += self.tokens.first(doc).unwrap_or(0);
        for code in self.codes.values_for_doc(doc) {
            let Some(t) = g.themes.get_mut(theme_code::position(code)) else {
                continue;
            };
            t.hits += u64::from(theme_code::hits(code));
            if theme_code::assigned(code) {
                t.docs += 1;
                if let Some(r) = rating {
                    t.rated += 1;
                    t.rating_sum += r;
                }
            }
        }
    }

    fn harvest(self) -> Groups {
        let mut out = Groups::new();
        let mut buf = String::new();
        for (codes, g) in self.groups {
            let key: Vec<Key> = self
                .dims
                .iter()
                .zip(codes)
                .map(|(d, code)| match d {
                    _ if code == NONE => Key::Missing,
                    DimReader::Time(..) => Key::Time(code as i64 as i32),
                    DimReader::Str(c) => {
                        buf.clear();
                        match c.ord_to_str(code, &mut buf) {
                            Ok(true) => Key::Str(buf.clone()),
                            _ => Key::Missing,
                        }
                    }
                    DimReader::Absent => Key::Missing,
                })
                .collect();
            // Two local ordinals can never map to one string, but merge to be safe.
            out.entry(key)
                .or_insert_with(|| GroupCounts::new(self.n_themes))
                .add(&g);
        }
        out
    }
}

/// Theme-by-theme document counts over the matching documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Cooccurrence {
    /// Matching documents.
    pub docs: u64,
    /// `both[a * n + b]`: documents with themes a and b assigned (the diagonal: with a).
    pub both: Vec<u64>,
    /// Themes in the taxonomy.
    pub n: usize,
}

impl Cooccurrence {
    /// Documents with themes `a` and `b`.
    pub fn get(&self, a: usize, b: usize) -> u64 {
        self.both[a * self.n + b]
    }
}

/// Collects a [`Cooccurrence`] matrix from the packed theme codes.
pub struct CoocCollector {
    /// Themes in the index's taxonomy.
    pub n_themes: usize,
}

/// The per-segment side of [`CoocCollector`].
pub struct CoocSegment {
    codes: Column<u64>,
    acc: Cooccurrence,
    buf: Vec<usize>,
}

impl Collector for CoocCollector {
    type Fruit = Cooccurrence;
    type Child = CoocSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CoocSegment> {
        let n = self.n_themes;
        Ok(CoocSegment {
            codes: reader.fast_fields().u64(names::THEME_CODES)?,
            acc: Cooccurrence {
                docs: 0,
                both: vec![0; n * n],
                n,
            },
            buf: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Cooccurrence>) -> tantivy::Result<Cooccurrence> {
        let n = self.n_themes;
        let mut all = Cooccurrence {
            docs: 0,
            both: vec![0; n * n],
            n,
        };
        for f in fruits {
            all.docs += f.docs;
            for (a, b) in all.both.iter_mut().zip(&f.both) {
                *a += b;
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for CoocSegment {
    type Fruit = Cooccurrence;

    fn collect(&mut self, doc: DocId, _: Score) {
        let n = self.acc.n;
        self.acc.docs += 1;
        self.buf.clear();
        self.buf.extend(
            self.codes
                .values_for_doc(doc)
                .filter(|&c| theme_code::assigned(c))
                .map(theme_code::position)
                .filter(|&p| p < n),
        );
        for &a in &self.buf {
            for &b in &self.buf {
                self.acc.both[a * n + b] += 1;
            }
        }
    }

    fn harvest(self) -> Cooccurrence {
        self.acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1));
        // 2024-02-29 and 2023-12-31
        assert_eq!(civil_from_days(19_782), (2024, 2));
        assert_eq!(civil_from_days(19_722), (2023, 12));
        assert_eq!(civil_from_days(-1), (1969, 12));
        let ts = chrono::NaiveDate::from_ymd_opt(2023, 4, 30)
            .unwrap()
            .and_hms_opt(23, 59, 59)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(Dim::Month.bucket_label(Dim::Month.bucket(ts)), "2023-04");
        assert_eq!(
            Dim::Quarter.bucket_label(Dim::Quarter.bucket(ts)),
            "2023-Q2"
        );
        assert_eq!(Dim::Year.bucket_label(Dim::Year.bucket(ts)), "2023");
    }
}

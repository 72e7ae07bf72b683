//! Publication dates as pages write them: ISO and RFC forms, `2022年7月19日`, `2022-07-19 10:31`,
//! `July 19, 2022`, and relative forms (`发布于 3 天前`, `昨天`) against the fetch time.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

/// A date found in text, normalised to RFC 3339 (or a bare `YYYY-MM-DD` when the time is unknown).
///
/// A date-time without a zone is taken as China Standard Time (+08:00) when `cst` (Chinese
/// pages), else only its date is kept.
pub fn parse(s: &str, fetched: Option<DateTime<FixedOffset>>, cst: bool) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.to_rfc3339());
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.to_rfc3339());
    }
    // ISO with zone but without seconds or with a space: 2022-07-19T10:31+08:00.
    for f in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.to_rfc3339());
        }
    }
    find(s, fetched, cst)
}

static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?P<y>(?:19|20)\d\d)\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?
        (?:[\sT]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?",
    )
    .expect("regex")
});

static ENGLISH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon2>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(?P<y2>(?:19|20)\d\d))\b",
    )
    .expect("regex")
});

static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?P<n>\d+)\s*(?P<u>秒|分钟|小时|天|日|周|个月|月|年)前|(?P<w>今天|昨天|前天)|(?i)(?P<en>\d+)\s+(?P<eu>minute|hour|day|week|month|year)s?\s+ago")
        .expect("regex")
});

fn month(m: &str) -> Option<u32> {
    let m = m.to_ascii_lowercase();
    let i = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|x| m.starts_with(x))?;
    Some(i as u32 + 1)
}

fn render(date: NaiveDate, time: Option<NaiveTime>, cst: bool) -> String {
    match time {
        Some(t) if cst => {
            let off = FixedOffset::east_opt(8 * 3600).expect("offset");
            let dt = NaiveDateTime::new(date, t);
            match dt.and_local_timezone(off).single() {
                Some(d) => d.to_rfc3339(),
                None => date.format("%Y-%m-%d").to_string(),
            }
        }
        _ => date.format("%Y-%m-%d").to_string(),
    }
}

/// The first date written anywhere in `text`.
pub fn find(text: &str, fetched: Option<DateTime<FixedOffset>>, cst: bool) -> Option<String> {
    if let Some(c) = NUMERIC.captures(text) {
        let num = |k: &str| c.name(k).and_then(|m| m.as_str().parse::<u32>().ok());
        if let (Some(y), Some(m), Some(d)) = (num("y"), num("m"), num("d"))
            && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
        {
            let time = match (num("H"), num("M")) {
                (Some(h), Some(mi)) => NaiveTime::from_hms_opt(h, mi, num("S").unwrap_or(0)),
                _ => None,
            };
            return Some(render(date, time, cst));
        }
    }
    if let Some(c) = ENGLISH.captures(text) {
        let mon = c
            .name("mon")
            .or_else(|| c.name("mon2"))
            .and_then(|m| month(m.as_str()));
        let d = c
            .name("d")
            .or_else(|| c.name("d2"))
            .and_then(|m| m.as_str().parse().ok());
        let y = c
            .name("y")
            .or_else(|| c.name("y2"))
            .and_then(|m| m.as_str().parse().ok());
        if let (Some(m), Some(d), Some(y)) = (mon, d, y)
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            return Some(date.format("%Y-%m-%d").to_string());
        }
    }
    let fetched = fetched?;
    let c = RELATIVE.captures(text)?;
    let ago = if let Some(w) = c.name("w") {
        match w.as_str() {
            "今天" => Duration::zero(),
            "昨天" => Duration::days(1),
            _ => Duration::days(2),
        }
    } else {
        let (n, unit) = match (c.name("n"), c.name("u"), c.name("en"), c.name("eu")) {
            (Some(n), Some(u), _, _) => (n.as_str(), u.as_str()),
            (_, _, Some(n), Some(u)) => (n.as_str(), u.as_str()),
            _ => return None,
        };
        let n: i64 = n.parse().ok()?;
        if n > 100_000 {
            return None;
        }
        match unit.to_ascii_lowercase().as_str() {
            "秒" => Duration::seconds(n),
            "分钟" | "minute" => Duration::minutes(n),
            "小时" | "hour" => Duration::hours(n),
            "天" | "日" | "day" => Duration::days(n),
            "周" | "week" => Duration::weeks(n),
            "个月" | "月" | "month" => Duration::days(30 * n),
            _ => Duration::days(365 * n),
        }
    };
    let at = fetched.checked_sub_signed(ago)?;
    // Hours and minutes ago keep the time; days ago keep only the day.
    if ago < Duration::days(1) && c.name("w").is_none() {
        Some(at.to_rfc3339())
    } else {
        let d = at.date_naive();
        Some(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(parse("2022年7月19日", None, true).unwrap(), "2022-07-19");
        assert_eq!(
            parse("2022-07-19 10:31", None, true).unwrap(),
            "2022-07-19T10:31:00+08:00"
        );
        assert_eq!(
            parse("2022-07-19 10:31", None, false).unwrap(),
            "2022-07-19"
        );
        assert_eq!(
            parse("2022-07-19T10:31:00Z", None, false).unwrap(),
            "2022-07-19T10:31:00+00:00"
        );
        assert_eq!(parse("July 19, 2022", None, false).unwrap(), "2022-07-19");
        assert_eq!(parse("19th Jul 2022", None, false).unwrap(), "2022-07-19");
        assert_eq!(
            parse("Tue, 19 Jul 2022 10:31:00 GMT", None, false).unwrap(),
            "2022-07-19T10:31:00+00:00"
        );
        assert_eq!(
            find("来源：新华网 时间：2021/3/5 作者：张三", None, true).unwrap(),
            "2021-03-05"
        );
        assert!(parse("2022-13-45", None, true).is_none());
    }

    #[test]
    fn relative_to_fetch_time() {
        let fetched = DateTime::parse_from_rfc3339("2024-05-10T12:00:00+08:00").unwrap();
        assert_eq!(
            find("发布于 3 天前", Some(fetched), true).unwrap(),
            "2024-05-07"
        );
        assert_eq!(find("昨天", Some(fetched), true).unwrap(), "2024-05-09");
        assert_eq!(
            find("2 hours ago", Some(fetched), false).unwrap(),
            "2024-05-10T10:00:00+08:00"
        );
        assert!(find("发布于 3 天前", None, true).is_none());
    }
}

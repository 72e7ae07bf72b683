//! The table model every export produces (named columns, typed cells) and its CSV, JSON and XLSX writers.

use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Str(String),
    /// A whole number (counts).
    Int(i64),
    /// A real number (shares, rates, means).
    Float(f64),
    /// No value (a mean over nothing, a missing date).
    Null,
}

impl Cell {
    /// The cell as CSV text: numbers in plain notation, floats rounded to 6 decimals, null empty.
    pub fn to_text(&self) -> String {
        match self {
            Cell::Str(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => fmt_float(*f),
            Cell::Null => String::new(),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Cell::Str(s) => Value::String(s.clone()),
            Cell::Int(i) => Value::from(*i),
            Cell::Float(f) => serde_json::Number::from_f64(round6(*f))
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Cell::Null => Value::Null,
        }
    }

    /// The number in the cell, if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The text in the cell, if any.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Str(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Str(s)
    }
}
impl From<u64> for Cell {
    fn from(n: u64) -> Cell {
        Cell::Int(n as i64)
    }
}
impl From<f64> for Cell {
    fn from(f: f64) -> Cell {
        Cell::Float(f)
    }
}
impl From<Option<f64>> for Cell {
    fn from(f: Option<f64>) -> Cell {
        f.map_or(Cell::Null, Cell::Float)
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Null, Cell::Str)
    }
}

fn round6(f: f64) -> f64 {
    (f * 1e6).round() / 1e6
}

fn fmt_float(f: f64) -> String {
    let r = round6(f);
    if r == r.trunc() && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// A table: a name (the XLSX sheet), column names and rows of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The table's name: the XLSX sheet name and the key in multi-table JSON.
    pub name: String,
    /// Column names, documented in the README.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new(name: &str, columns: &[&str]) -> Table {
        Table {
            name: name.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row (as long as the columns).
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// The index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The table as CSV (RFC 4180, UTF-8, header row), with a byte-order mark when `bom`
    /// (so Excel opens Chinese text as UTF-8).
    pub fn write_csv(&self, out: &mut dyn Write, bom: bool) -> std::io::Result<()> {
        if bom {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.columns)?;
        for row in &self.rows {
            w.write_record(row.iter().map(Cell::to_text))?;
        }
        w.flush()
    }

    /// The table as CSV text (snapshots and tests).
    pub fn to_csv(&self) -> String {
        let mut v = Vec::new();
        self.write_csv(&mut v, false).expect("writing to memory");
        String::from_utf8(v).expect("UTF-8")
    }

    /// The table aligned for a terminal: columns padded by display width (a CJK character
    /// takes two columns), numbers right-aligned, floats with `decimals` places.
    pub fn write_text(&self, out: &mut dyn Write, decimals: usize) -> std::io::Result<()> {
        use unicode_width::UnicodeWidthStr;
        let cell = |c: &Cell| match c {
            Cell::Float(f) => format!("{f:.decimals$}"),
            c => c.to_text(),
        };
        let texts: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(cell).collect())
            .collect();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                texts
                    .iter()
                    .map(|r| r[i].width())
                    .chain(std::iter::once(self.columns[i].width()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .all(|r| matches!(r[i], Cell::Int(_) | Cell::Float(_) | Cell::Null))
            })
            .collect();
        let pad = |s: &str, w: usize, right: bool| {
            let fill = " ".repeat(w.saturating_sub(s.width()));
            if right {
                format!("{fill}{s}")
            } else {
                format!("{s}{fill}")
            }
        };
        let line = |cells: &[String]| {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| pad(c, widths[i], numeric[i]))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        writeln!(out, "{}", line(&self.columns))?;
        for r in &texts {
            writeln!(out, "{}", line(r))?;
        }
        Ok(())
    }

    /// The rows as a JSON array of objects, one row per line, keys in column order (the
    /// CSV's order).
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let keys: Vec<String> = self
            .columns
            .iter()
            .map(|c| serde_json::to_string(c).expect("a string serialises"))
            .collect();
        write!(out, "[")?;
        for (i, row) in self.rows.iter().enumerate() {
            write!(out, "{}\n  {{", if i == 0 { "" } else { "," })?;
            for (j, (k, v)) in keys.iter().zip(row).enumerate() {
                let sep = if j == 0 { "" } else { ", " };
                write!(out, "{sep}{k}: {}", v.to_json())?;
            }
            write!(out, "}}")?;
        }
        writeln!(out, "{}]", if self.rows.is_empty() { "" } else { "\n" })
    }

    /// The rows as JSON objects with the same column names (a map: keys sorted).
    pub fn to_json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let mut m = Map::new();
                    for (c, v) in self.columns.iter().zip(row) {
                        m.insert(c.clone(), v.to_json());
                    }
                    Value::Object(m)
                })
                .collect(),
        )
    }
}

/// Output formats of the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV of the first table.
    Csv,
    /// JSON: an array of row objects (one table) or an object of such arrays by table name.
    Json,
    /// An Excel workbook, one sheet per table.
    Xlsx,
}

/// Write `tables` in `format`. CSV holds the first table only (the others are for XLSX and
/// JSON); `bom` adds a UTF-8 byte-order mark to CSV.
pub fn write_tables(
    tables: &[Table],
    format: Format,
    bom: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let io = |e: std::io::Error| Error::io(Path::new("<output>"), e);
    match format {
        Format::Csv => tables[0].write_csv(out, bom).map_err(io),
        Format::Json => {
            if tables.len() == 1 {
                return tables[0].write_json(out).map_err(io);
            }
            writeln!(out, "{{").map_err(io)?;
            for (i, t) in tables.iter().enumerate() {
                let key =
                    serde_json::to_string(&t.name).map_err(|e| Error::Internal(e.to_string()))?;
                write!(out, "{key}: ").map_err(io)?;
                t.write_json(out).map_err(io)?;
                if i + 1 < tables.len() {
                    writeln!(out, ",").map_err(io)?;
                }
            }
            writeln!(out, "}}").map_err(io)
        }
        Format::Xlsx => {
            let bytes = xlsx(tables)?;
            out.write_all(&bytes).map_err(io)
        }
    }
}

/// The tables as an XLSX workbook, one sheet per table: a bold frozen header row, numbers as
/// numbers.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| Error::Internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = XFormat::new().set_bold();
    for t in tables {
        let ws = wb.add_worksheet();
        // Sheet names: at most 31 characters.
        ws.set_name(t.name.chars().take(31).collect::<String>())
            .map_err(err)?;
        for (c, name) in t.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, name, &bold)
                .map_err(err)?;
            ws.set_column_width(c as u16, (name.len() as f64 + 2.0).max(10.0))
                .map_err(err)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Str(s) => ws.write_string(r, c, s).map(|_| ()),
                    Cell::Int(i) => ws.write_number(r, c, *i as f64).map(|_| ()),
                    Cell::Float(f) if f.is_finite() => ws.write_number(r, c, *f).map(|_| ()),
                    Cell::Float(_) | Cell::Null => Ok(()),
                }
                .map_err(err)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_bom() {
        let mut t = Table::new("t", &["a", "b"]);
        t.push(vec!["物流, \"快递\"".into(), Cell::Float(0.5)]);
        t.push(vec![Cell::Null, Cell::Int(3)]);
        assert_eq!(t.to_csv(), "a,b\n\"物流, \"\"快递\"\"\",0.5\n,3\n");
        let mut v = Vec::new();
        t.write_csv(&mut v, true).unwrap();
        assert!(v.starts_with(&[0xef, 0xbb, 0xbf]));
    }

    #[test]
    fn json_keeps_columns_in_order_and_nulls() {
        let mut t = Table::new("t", &["b", "a"]);
        t.push(vec!["x".into(), Cell::Null]);
        t.push(vec!["y".into(), Cell::Float(0.1234567)]);
        assert_eq!(
            t.to_json(),
            serde_json::json!([{"b": "x", "a": null}, {"b": "y", "a": 0.123457}])
        );
        let mut v = Vec::new();
        t.write_json(&mut v).unwrap();
        let text = String::from_utf8(v).unwrap();
        assert_eq!(
            text,
            "[\n  {\"b\": \"x\", \"a\": null},\n  {\"b\": \"y\", \"a\": 0.123457}\n]\n"
        );
        let mut e = Vec::new();
        Table::new("t", &["a"]).write_json(&mut e).unwrap();
        assert_eq!(e, b"[]\n");
    }

    #[test]
    fn xlsx_is_a_zip() {
        let mut t = Table::new("themes", &["a"]);
        t.push(vec![Cell::Int(1)]);
        let b = xlsx(&[t]).unwrap();
        assert!(b.starts_with(b"PK"));
    }
}

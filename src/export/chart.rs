//! Charts of exports (theme trend lines, theme share bars, co-occurrence heatmap) drawn with plotters as SVG or PNG, with an embedded CJK font so Chinese labels render everywhere.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::scan::Dim;
use super::{Cooccurrence, Table};
use crate::error::{Error, Result};
use crate::index::ShopIndex;

/// The embedded font: Noto Sans CJK SC (SIL OFL 1.1) subset to Latin and GB2312 characters by
/// `scripts/subset-font.py`.
static FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-Subset.otf");

/// The font family of every text: registered with the embedded font for layout and PNG
/// rendering, and written as-is into SVG, where viewers pick the first family they have.
/// The embedded font's family name.
const FONT_NAME: &str = "Noto Sans CJK SC";

const FAMILY: &str =
    "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif";

/// Tableau 10, readable on white and for most colour-blind readers.
const PALETTE: [(u8, u8, u8); 10] = [
    (78, 121, 167),
    (242, 142, 43),
    (225, 87, 89),
    (118, 183, 178),
    (89, 161, 79),
    (237, 201, 72),
    (176, 122, 161),
    (255, 157, 167),
    (156, 117, 95),
    (186, 176, 172),
];

fn colour(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    // Past ten series, darken to keep them apart.
    let k = if i >= PALETTE.len() { 0.6 } else { 1.0 };
    RGBColor(
        (r as f64 * k) as u8,
        (g as f64 * k) as u8,
        (b as f64 * k) as u8,
    )
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is part of the binary and checked by a unit test.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// A chart, independent of the output format.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// Lines over an ordered axis (time buckets).
    Lines {
        /// Title.
        title: String,
        /// X axis labels, one per point.
        x: Vec<String>,
        /// Y axis description.
        y_desc: String,
        /// (legend label, one value per x).
        series: Vec<(String, Vec<f64>)>,
    },
    /// Grouped bars: per group, one bar per series.
    Bars {
        /// Title.
        title: String,
        /// Group labels.
        groups: Vec<String>,
        /// Y axis description.
        y_desc: String,
        /// (legend label, one value per group).
        series: Vec<(String, Vec<f64>)>,
    },
    /// A square matrix of values with a label per row/column.
    Heatmap {
        /// Title.
        title: String,
        /// Row and column labels.
        labels: Vec<String>,
        /// Short column labels (below the matrix).
        short: Vec<String>,
        /// Cell values (the colour), row-major.
        values: Vec<Vec<f64>>,
        /// Cell texts.
        texts: Vec<Vec<String>>,
    },
}

/// The image kind a chart path asks for, from its extension.
pub fn kind_of(path: &Path) -> Result<&'static str> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("svg") => Ok("svg"),
        Some("png") => Ok("png"),
        _ => Err(Error::bad_file(
            path,
            "--chart: the file name must end in .svg or .png",
        )),
    }
}

/// The chart of an `export themes` table: share of documents per theme as lines over time
/// when the first `--by` is a time dimension (undated left out; other dimensions summed),
/// else as grouped bars per value of the first `--by`.
pub fn themes_chart(shop: &ShopIndex, table: &Table, dims: &[Dim]) -> Result<Chart> {
    let tax = shop.tagger.taxonomy();
    let first = dims.first().copied();
    let col = |n: &str| {
        table
            .col(n)
            .ok_or_else(|| Error::Internal(format!("export table lacks column {n}")))
    };
    let (c_theme, c_docs, c_group) = (col("theme")?, col("docs")?, col("docs_in_group")?);
    // group label -> (docs in group summed once per theme row set, docs per theme)
    let mut keys: Vec<String> = Vec::new();
    let mut group_docs: Vec<f64> = Vec::new();
    let mut theme_docs: Vec<Vec<f64>> = vec![Vec::new(); tax.themes.len()];
    for row in &table.rows {
        let key = match first {
            Some(_) => row[0].as_str().unwrap_or_default().to_string(),
            None => "all".to_string(),
        };
        if first.is_some_and(|d| d.is_time()) && key == "undated" {
            continue;
        }
        let Some(t) = row[c_theme].as_str().and_then(|t| tax.position(t)) else {
            continue;
        };
        let i = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key);
                group_docs.push(0.0);
                for v in &mut theme_docs {
                    v.push(0.0);
                }
                keys.len() - 1
            }
        };
        if t == 0 {
            group_docs[i] += row[c_group].as_f64().unwrap_or(0.0);
        }
        theme_docs[t][i] += row[c_docs].as_f64().unwrap_or(0.0);
    }
    let series: Vec<(String, Vec<f64>)> = tax
        .themes
        .iter()
        .zip(theme_docs)
        .map(|(t, docs)| {
            let shares = docs
                .iter()
                .zip(&group_docs)
                .map(|(d, g)| if *g > 0.0 { 100.0 * d / g } else { 0.0 })
                .collect();
            (super::label(&t.label), shares)
        })
        .collect();
    let y_desc = "文档占比 share of documents (%)".to_string();
    Ok(match first {
        Some(d) if d.is_time() => Chart::Lines {
            title: format!("主题趋势 Theme trends by {}", d.name()),
            x: keys,
            y_desc,
            series,
        },
        _ => Chart::Bars {
            title: match first {
                Some(d) => format!("主题占比 Theme share by {}", d.name()),
                None => "主题占比 Theme share".into(),
            },
            groups: keys,
            y_desc,
            series,
        },
    })
}

/// The co-occurrence heatmap: colour by Jaccard similarity, documents with both themes in each
/// cell (the diagonal: documents with the theme).
pub fn heatmap(shop: &ShopIndex, c: &Cooccurrence) -> Result<Chart> {
    let tax = shop.tagger.taxonomy();
    let n = tax.themes.len();
    let mut values = vec![vec![0.0; n]; n];
    let mut texts = vec![vec![String::new(); n]; n];
    for a in 0..n {
        for b in 0..n {
            let (na, nb, nab) = (c.get(a, a), c.get(b, b), c.get(a, b));
            let union = na + nb - nab;
            values[a][b] = if a == b || union == 0 {
                if a == b && na > 0 { 1.0 } else { 0.0 }
            } else {
                nab as f64 / union as f64
            };
            texts[a][b] = nab.to_string();
        }
    }
    Ok(Chart::Heatmap {
        title: format!(
            "主题共现 Theme co-occurrence ({} documents; colour: Jaccard)",
            c.docs
        ),
        labels: tax.themes.iter().map(|t| super::label(&t.label)).collect(),
        short: tax
            .themes
            .iter()
            .map(|t| {
                if t.label.zh.is_empty() {
                    t.label.en.clone()
                } else {
                    t.label.zh.clone()
                }
            })
            .collect(),
        values,
        texts,
    })
}

/// Render a chart as SVG text.
pub fn to_svg(chart: &Chart) -> Result<String> {
    register_font();
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, size(chart)).into_drawing_area();
        draw(chart, &root).map_err(|e| Error::Internal(format!("chart: {e}")))?;
        root.present()
            .map_err(|e| Error::Internal(format!("chart: {e}")))?;
    }
    Ok(s)
}

/// Render a chart as PNG bytes: the SVG rasterised by resvg at twice the size, with the
/// embedded font (plotters' own bitmap text drawing ignores glyph side bearings, which leaves
/// gaps in Chinese labels).
pub fn to_png(chart: &Chart) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let svg = to_svg(chart)?;
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_font_data(FONT.to_vec());
    opt.fontdb_mut().set_sans_serif_family(FONT_NAME);
    opt.font_family = FONT_NAME.to_string();
    let tree =
        usvg::Tree::from_str(&svg, &opt).map_err(|e| Error::Internal(format!("svg: {e}")))?;
    let (w, h) = size(chart);
    let mut pixmap = tiny_skia::Pixmap::new(w * 2, h * 2)
        .ok_or_else(|| Error::Internal("chart too large".into()))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(2.0, 2.0),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::Internal(format!("png: {e}")))
}

/// Write a chart to `path` as SVG or PNG by its extension; an existing file needs `force`.
pub fn save(chart: &Chart, path: &Path, force: bool) -> Result<()> {
    let bytes = match kind_of(path)? {
        "svg" => to_svg(chart)?.into_bytes(),
        _ => to_png(chart)?,
    };
    if path.exists() && !force {
        return Err(Error::bad_file(path, "exists; add --force to overwrite it"));
    }
    std::fs::write(path, bytes).map_err(|e| Error::user_io(path, e))
}

fn size(chart: &Chart) -> (u32, u32) {
    match chart {
        Chart::Heatmap { labels, .. } => {
            let n = labels.len() as u32;
            (300 + 64 * n, 160 + 48 * n)
        }
        _ => (1200, 640),
    }
}

type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

fn draw<DB: DrawingBackend>(chart: &Chart, root: &DrawingArea<DB, Shift>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    match chart {
        Chart::Lines {
            title,
            x,
            y_desc,
            series,
        } => {
            let (plot, legend) = root.split_horizontally(root.dim_in_pixel().0 - 260);
            let mut c = xy_chart(&plot, title, x, y_desc, series, false)?;
            let n = x.len().max(1);
            for (i, (_, values)) in series.iter().enumerate() {
                let col = colour(i);
                let pts: Vec<(f64, f64)> = values
                    .iter()
                    .enumerate()
                    .map(|(j, v)| (j as f64, *v))
                    .collect();
                c.draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))?;
                if n <= 40 {
                    c.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, col.filled())))?;
                }
            }
            draw_legend(&legend, series.iter().map(|s| s.0.as_str()))?;
        }
        Chart::Bars {
            title,
            groups,
            y_desc,
            series,
        } => {
            let (plot, legend) = root.split_horizontally(root.dim_in_pixel().0 - 260);
            let mut c = xy_chart(&plot, title, groups, y_desc, series, true)?;
            let k = series.len().max(1) as f64;
            let width = 0.8 / k;
            for (i, (_, values)) in series.iter().enumerate() {
                let col = colour(i);
                c.draw_series(values.iter().enumerate().map(|(g, v)| {
                    let x0 = g as f64 - 0.4 + i as f64 * width;
                    Rectangle::new([(x0, 0.0), (x0 + width * 0.9, *v)], col.filled())
                }))?;
            }
            draw_legend(&legend, series.iter().map(|s| s.0.as_str()))?;
        }
        Chart::Heatmap {
            title,
            labels,
            short,
            values,
            texts,
        } => {
            let n = labels.len().max(1);
            let mut c = ChartBuilder::on(root)
                .caption(title, (FAMILY, 20))
                .margin(16)
                .x_label_area_size(40)
                .y_label_area_size(200)
                .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (n as f64 - 0.5)..-0.5f64)?;
            let (xl, yl) = (short.clone(), labels.clone());
            c.configure_mesh()
                .disable_mesh()
                .x_labels(n)
                .y_labels(n)
                .x_label_formatter(&move |v| tick_label(&xl, *v, 1))
                .y_label_formatter(&move |v| tick_label(&yl, *v, 1))
                .label_style((FAMILY, 14))
                .draw()?;
            for (a, row) in values.iter().enumerate() {
                for (b, v) in row.iter().enumerate() {
                    let (x, y) = (b as f64, a as f64);
                    let fill = heat(*v);
                    c.draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                        fill.filled(),
                    )))?;
                    c.draw_series(std::iter::once(Rectangle::new(
                        [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                        WHITE.stroke_width(1),
                    )))?;
                    let ink = if *v > 0.55 { WHITE } else { BLACK };
                    let style = (FAMILY, 13)
                        .into_font()
                        .color(&ink)
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    c.draw_series(std::iter::once(Text::new(
                        texts[a][b].clone(),
                        (x, y),
                        style,
                    )))?;
                }
            }
        }
    }
    Ok(())
}

/// The label of the category at integer tick `v`, every `step`-th one.
type XyChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The axes and mesh of a line chart (`bars` false: every point a tick, labels thinned to
/// about 12) or a grouped bar chart (`bars` true: a label per group, no vertical lines), with
/// one slot per label on x and 0 up to a round maximum of `series` on y.
fn xy_chart<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    title: &str,
    labels: &[String],
    y_desc: &str,
    series: &[(String, Vec<f64>)],
    bars: bool,
) -> std::result::Result<XyChart<'a, DB>, Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    let ymax = nice_max(series.iter().flat_map(|s| s.1.iter().copied()));
    let n = labels.len().max(1);
    let mut c = ChartBuilder::on(plot)
        .caption(title, (FAMILY, 24))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..ymax)?;
    // Horizontal labels, as many as fit (about 12) on a line chart.
    let step = if bars { 1 } else { n.div_ceil(12).max(1) };
    let format_x = move |v: &f64| tick_label(labels, *v, step);
    let mut mesh = c.configure_mesh();
    if bars {
        mesh.disable_x_mesh();
    }
    mesh.x_labels(n.min(60))
        .x_label_formatter(&format_x)
        .x_label_style((FAMILY, if bars { 15 } else { 14 }))
        .y_label_style((FAMILY, 14))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .max_light_lines(1)
        .y_desc(y_desc)
        .axis_desc_style((FAMILY, 15))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    Ok(c)
}

fn tick_label(labels: &[String], v: f64, step: usize) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    let i = i as usize;
    if !i.is_multiple_of(step) {
        return String::new();
    }
    labels.get(i).cloned().unwrap_or_default()
}

/// A round upper bound for the y axis.
fn nice_max(values: impl Iterator<Item = f64>) -> f64 {
    let m = values.fold(0.0f64, f64::max);
    if m <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(m.log10().floor());
    for k in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if k * mag >= m * 1.02 {
            return k * mag;
        }
    }
    10.0 * mag
}

/// White to dark blue.
fn heat(v: f64) -> RGBColor {
    let v = v.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * v) as u8;
    RGBColor(lerp(247.0, 8.0), lerp(251.0, 48.0), lerp(255.0, 107.0))
}

fn draw_legend<'a, DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: impl Iterator<Item = &'a str>,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let top = 70;
    for (i, l) in labels.enumerate() {
        let y = top + i as i32 * 26;
        area.draw(&Rectangle::new(
            [(8, y - 7), (30, y + 7)],
            colour(i).filled(),
        ))?;
        area.draw(&Text::new(
            l.to_string(),
            (38, y),
            (FAMILY, 15)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_covers_cjk() {
        use ab_glyph::Font;
        let f = ab_glyph::FontRef::try_from_slice(FONT).expect("font parses");
        for c in "物流假货售后价格质量支付直播品牌消费习惯工作文化主题趋势共现Aa0".chars()
        {
            assert_ne!(f.glyph_id(c).0, 0, "{c} missing from the embedded font");
        }
    }

    #[test]
    fn charts_render_both_formats() {
        let chart = Chart::Lines {
            title: "主题趋势".into(),
            x: vec!["2023-01".into(), "2023-02".into()],
            y_desc: "%".into(),
            series: vec![("物流 Logistics".into(), vec![10.0, 20.0])],
        };
        let svg = to_svg(&chart).unwrap();
        assert!(svg.contains("物流 Logistics") && svg.contains("2023-02"));
        let png = to_png(&chart).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }
}

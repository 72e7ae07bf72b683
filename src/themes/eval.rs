//! Evaluation of a tagger against gold labels: per-theme precision, recall and F1, macro and micro averages, and the mistakes.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Tagger;

/// One labelled text.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldItem {
    /// Identifier shown in mistakes.
    #[serde(default)]
    pub id: String,
    /// The text.
    pub text: String,
    /// The themes that truly apply.
    pub themes: Vec<String>,
}

/// Scores of one theme.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThemeEval {
    /// Theme id.
    pub id: String,
    /// Gold positives.
    pub support: usize,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp).
    pub precision: f64,
    /// tp / (tp + fn).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// A whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Items scored.
    pub items: usize,
    /// Per theme, in taxonomy order.
    pub themes: Vec<ThemeEval>,
    /// Mean of per-theme F1 over themes with gold positives.
    pub macro_f1: f64,
    /// F1 over all (item, theme) decisions.
    pub micro_f1: f64,
    /// Mistakes as `(item id, theme, "fp" | "fn")`.
    pub mistakes: Vec<(String, String, &'static str)>,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// Tag every item and compare with its gold themes.
pub fn evaluate(tagger: &Tagger, items: &[GoldItem]) -> EvalReport {
    use rayon::prelude::*;
    let ids = tagger.taxonomy().ids();
    let predicted: Vec<BTreeSet<String>> = items
        .par_iter()
        .map(|it| {
            tagger
                .tag(&it.text)
                .assigned()
                .into_iter()
                .map(String::from)
                .collect()
        })
        .collect();
    let mut themes = Vec::new();
    let mut mistakes = Vec::new();
    let (mut all_tp, mut all_fp, mut all_fn) = (0, 0, 0);
    for id in &ids {
        let (mut tp, mut fp, mut fn_, mut support) = (0, 0, 0, 0);
        for (it, pred) in items.iter().zip(&predicted) {
            let gold = it.themes.iter().any(|t| t == id);
            let got = pred.contains(*id);
            support += gold as usize;
            match (gold, got) {
                (true, true) => tp += 1,
                (false, true) => {
                    fp += 1;
                    mistakes.push((it.id.clone(), id.to_string(), "fp"));
                }
                (true, false) => {
                    fn_ += 1;
                    mistakes.push((it.id.clone(), id.to_string(), "fn"));
                }
                _ => {}
            }
        }
        all_tp += tp;
        all_fp += fp;
        all_fn += fn_;
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        themes.push(ThemeEval {
            id: id.to_string(),
            support,
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1: f1(precision, recall),
        });
    }
    let scored: Vec<&ThemeEval> = themes.iter().filter(|t| t.support > 0).collect();
    let macro_f1 = scored.iter().map(|t| t.f1).sum::<f64>() / scored.len().max(1) as f64;
    let micro_f1 = f1(
        ratio(all_tp, all_tp + all_fp),
        ratio(all_tp, all_tp + all_fn),
    );
    EvalReport {
        items: items.len(),
        themes,
        macro_f1,
        micro_f1,
        mistakes,
    }
}

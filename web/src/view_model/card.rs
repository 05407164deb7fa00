//! The model card panel: what a card JSON (see `shared/docs/formats.md`) says about a model, as rows
//! for the page — architecture, how it was trained, and the measured accuracy.

use serde_json::Value;

/// One measured accuracy of the card.
#[derive(Debug, Clone, PartialEq)]
pub struct AccuracyRow {
    pub set: String,
    pub count: Option<u64>,
    /// Share of puzzles solved exactly.
    pub exact: Option<f64>,
    /// Share of cells right.
    pub cell: Option<f64>,
    /// Exact accuracy after each supervision step, when recorded.
    pub by_step: Vec<f64>,
}

/// A card, ready to show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CardView {
    pub name: String,
    /// Architecture fields (official names) and values.
    pub arch: Vec<(String, String)>,
    /// Training facts: command, data, steps, hardware, time.
    pub training: Vec<(String, String)>,
    pub accuracy: Vec<AccuracyRow>,
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "–".into(),
        other => other.to_string(),
    }
}

/// The set of an accuracy entry, with the number of versions voted over when it is a vote
/// (`trm eval --augment N`), so a plain and a voted figure on one set read apart.
fn set_label(entry: &Value) -> String {
    let set = entry.get("set").map(show).unwrap_or_default();
    match entry.get("augment").and_then(Value::as_u64) {
        Some(augment) if augment > 0 => format!("{set} (vote over {} versions)", augment + 1),
        _ => set,
    }
}

/// Reads a card. Missing sections give empty lists; only unreadable JSON is an error.
pub fn card_view(json: &str) -> Result<CardView, String> {
    let card: Value = serde_json::from_str(json).map_err(|e| format!("the model card is not valid JSON: {e}"))?;
    let name = card.get("name").map(show).unwrap_or_default();
    let arch = match card.get("arch") {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), show(v))).collect(),
        _ => Vec::new(),
    };
    let mut training = Vec::new();
    if let Some(t) = card.get("training") {
        let wanted = [
            ("source", "data"),
            ("command", "command"),
            ("steps", "optimiser steps"),
            ("batch_size", "batch size"),
            ("example_steps", "examples seen"),
            ("weights", "weights"),
            ("hardware", "hardware"),
            ("wall_time", "wall time (s)"),
        ];
        for (key, label) in wanted {
            if let Some(v) = t.get(key) {
                training.push((label.to_string(), show(v)));
            }
        }
        if let Some(lr) = t.get("train").and_then(|tr| tr.get("lr")) {
            training.push(("learning rate".into(), show(lr)));
        }
    }
    let accuracy = match card.get("accuracy") {
        Some(Value::Array(rows)) => rows
            .iter()
            .map(|r| AccuracyRow {
                set: set_label(r),
                count: r.get("count").and_then(Value::as_u64),
                exact: r.get("exact").and_then(Value::as_f64),
                cell: r.get("cell").and_then(Value::as_f64),
                by_step: r
                    .get("by_step")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default(),
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(CardView { name, arch, training, accuracy })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_cards_read() {
        for name in ["sudoku4", "sudoku6"] {
            let path = format!("{}/../assets/models/{name}.json", env!("CARGO_MANIFEST_DIR"));
            let json = std::fs::read_to_string(path).unwrap();
            let raw: Value = serde_json::from_str(&json).unwrap();
            let v = card_view(&json).unwrap();
            assert_eq!(v.name, name);
            let h = v.arch.iter().find(|(k, _)| k == "H_cycles").unwrap();
            assert_eq!(h.1, raw["arch"]["H_cycles"].to_string());
            assert!(v.training.iter().any(|(k, _)| k == "command"));
            assert_eq!(v.accuracy.len(), raw["accuracy"].as_array().unwrap().len());
            assert_eq!(v.accuracy[0].exact, raw["accuracy"][0]["exact"].as_f64());
        }
    }

    #[test]
    fn partial_and_bad_cards() {
        let v = card_view(r#"{"name":"x"}"#).unwrap();
        assert_eq!(v, CardView { name: "x".into(), ..Default::default() });
        assert!(card_view("{").unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn a_voted_entry_says_so() {
        let json = r#"{"accuracy":[{"set":"m.txt","exact":0.7},{"set":"m.txt","exact":0.9,"augment":7},
            {"set":"a.txt","augment":0}]}"#;
        let sets: Vec<String> = card_view(json).unwrap().accuracy.into_iter().map(|a| a.set).collect();
        assert_eq!(sets, ["m.txt", "m.txt (vote over 8 versions)", "a.txt"]);
    }
}

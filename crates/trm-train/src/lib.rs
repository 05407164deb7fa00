//! Training and evaluation of TRM models on candle's autograd.
//!
//! This crate is where the trainer (deep supervision, ACT halting, EMA, AdamATan2) and the
//! evaluation loop will live; it depends on `trm-core` for the model and `trm-puzzles` for data.
//! Nothing is implemented here yet: the `trm train` and `trm eval` commands do not exist so far.

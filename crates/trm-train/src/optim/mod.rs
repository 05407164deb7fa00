//! The official trainer's optimizers (reference §6.2–§6.5): AdamATan2 for the dense weights, sign-SGD
//! for the rows of the puzzle-embedding table, the shared warm-up schedule, and the weight EMA.

mod adam_atan2;
mod ema;
mod schedule;
mod sign_sgd;

pub use adam_atan2::AdamAtan2;
pub use ema::Ema;
pub use schedule::LrSchedule;
pub use sign_sgd::SignSgd;

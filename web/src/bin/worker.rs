//! Entry point of the Web Worker (trunk `data-bin="worker"`, `data-type="worker"`).

fn main() {
    trm_web::worker_main::start();
}

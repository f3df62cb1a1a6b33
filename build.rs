//! Prepares the embedded dashboard: rust-embed reads `dashboard/dist/` at compile time.

use std::path::Path;

fn main() {
    let dist = Path::new("dashboard/dist");

    // An empty folder lets a plain `cargo build` without npm work, and such a binary serves a
    // page that explains how to build the dashboard. The folder also gives cargo a path to watch.
    if !dist.exists()
        && let Err(error) = std::fs::create_dir_all(dist)
    {
        println!("cargo::warning=cannot create {}: {error}", dist.display());
    }

    // Cargo scans the folder and reruns this script, and so recompiles the embedding, whenever a
    // file in it changes. Only this folder is watched, not the dashboard's sources.
    println!("cargo::rerun-if-changed=dashboard/dist");
}

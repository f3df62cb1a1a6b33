//! llama-runner: starts llama.cpp's `llama-server` on demand for each requested model, swaps models
//! within a configured limit, unloads idle ones and forwards the OpenAI, Ollama and LM Studio APIs.
#![deny(unsafe_code)]

pub mod api;
pub mod breaker;
pub mod config;
pub mod dashboard;
pub mod gguf;
pub mod management;
pub mod placement;
pub mod pool;
pub mod proxy;
pub mod reload;
pub mod scheduler;
pub mod server;
pub mod supervisor;
pub mod telemetry;

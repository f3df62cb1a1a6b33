//! Pseudo-random and mutated inputs: the parser returns `Ok` or `Err` and never panics.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use super::builder::GgufBuilder;
use super::real_model_path;
use crate::gguf::{MetadataValue, parse_gguf};

/// xorshift64*: a small deterministic generator, so a failing case can be replayed by seed.
struct Generator(u64);

impl Generator {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

/// Values that often hit length and count checks when written over a field.
const EDGE_VALUES: [u64; 8] = [0, 1, 0xff, 0x7f, 1 << 31, 1 << 32, u64::MAX, i64::MAX as u64];

fn seed_file() -> Vec<u8> {
    GgufBuilder::new(3)
        .string("general.architecture", "llama")
        .string("general.name", "Fuzz")
        .u32("llama.context_length", 2048)
        .value("llama.rope.freq_base", &MetadataValue::F32(10_000.0))
        .value("test.bool", &MetadataValue::Bool(true))
        .value(
            "llama.attention.head_count_kv",
            &MetadataValue::Array(vec![MetadataValue::U32(8), MetadataValue::U32(4)]),
        )
        .value(
            "test.nested",
            &MetadataValue::Array(vec![MetadataValue::Array(vec![MetadataValue::String("x".into())])]),
        )
        .token_list("tokenizer.ggml.tokens", 1030)
        .tensor("token_embd.weight", &[64, 4], 8)
        .tensor("output_norm.weight", &[64], 0)
        .build()
}

fn mutate(generator: &mut Generator, seed: &[u8]) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    let rounds = 1 + generator.below(4);

    for _ in 0..rounds {
        match generator.below(5) {
            0 => {
                let position = generator.below(bytes.len());
                if let Some(byte) = bytes.get_mut(position) {
                    *byte ^= 1 << generator.below(8);
                }
            }
            1 => {
                let position = generator.below(bytes.len());
                if let Some(byte) = bytes.get_mut(position) {
                    *byte = generator.next() as u8;
                }
            }
            2 => {
                let value = EDGE_VALUES[generator.below(EDGE_VALUES.len())].to_le_bytes();
                let position = generator.below(bytes.len().saturating_sub(8));
                if let Some(field) = bytes.get_mut(position..position + 8) {
                    field.copy_from_slice(&value);
                }
            }
            3 => bytes.truncate(generator.below(bytes.len() + 1)),
            _ => {
                let start = generator.below(bytes.len());
                let len = generator.below(32);
                let copied: Vec<u8> = bytes.iter().skip(start).take(len).copied().collect();
                let position = generator.below(bytes.len());
                bytes.splice(position..position, copied);
            }
        }
    }
    bytes
}

fn random_bytes(generator: &mut Generator) -> Vec<u8> {
    let len = generator.below(256);
    let mut bytes: Vec<u8> = (0..len).map(|_| generator.next() as u8).collect();
    // Half the cases start like a real file, so they get past the magic and version checks.
    if generator.below(2) == 0 {
        let mut prefix = b"GGUF".to_vec();
        prefix.extend_from_slice(&(2 + generator.below(2) as u32).to_le_bytes());
        bytes.splice(0..0, prefix);
    }
    bytes
}

fn assert_no_panic(case: u64, bytes: &[u8]) {
    let outcome = catch_unwind(AssertUnwindSafe(|| parse_gguf(Cursor::new(bytes))));
    let preview: Vec<u8> = bytes.iter().take(64).copied().collect();
    assert!(outcome.is_ok(), "case {case} panicked; first bytes {preview:02x?}");
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    const CASES: u64 = 12_000;
    let seed = seed_file();
    let mut generator = Generator(0x9e37_79b9_7f4a_7c15);
    let started = Instant::now();

    for case in 0..CASES {
        let bytes = if case % 4 == 0 {
            random_bytes(&mut generator)
        } else {
            mutate(&mut generator, &seed)
        };
        assert_no_panic(case, &bytes);
    }

    eprintln!("{CASES} fuzz cases in {:?}", started.elapsed());
}

#[test]
fn mutated_real_header_never_panics() {
    const CASES: u64 = 300;
    /// Enough of the real header to pass the metadata before the token list.
    const PREFIX_BYTES: u64 = 64 * 1024;
    let Some(path) = real_model_path() else {
        return;
    };
    let mut prefix = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(&path).unwrap(), PREFIX_BYTES),
        &mut prefix,
    )
    .unwrap();
    let mut generator = Generator(0x2545_f491_4f6c_dd1d);

    for case in 0..CASES {
        let bytes = mutate(&mut generator, &prefix);
        assert_no_panic(case, &bytes);
    }
}

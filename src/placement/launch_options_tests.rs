use super::*;
use crate::placement::device::Device;

fn parse(items: &[&str]) -> Result<LaunchOptions, LaunchOptionsError> {
    let flags: Vec<String> = items.iter().map(|item| (*item).to_owned()).collect();
    LaunchOptions::from_flags(&flags)
}

#[test]
fn defaults_match_llama_server() {
    let options = parse(&[]).unwrap();

    assert_eq!(options.context_size, None);
    assert_eq!(options.gpu_layers, GpuLayers::All);
    assert_eq!(options.cache_type_k, CacheType::F16);
    assert_eq!(options.ubatch_size, 512);
    assert!(options.kv_offload);
    assert!(options.flash_attention);
    assert_eq!(options.slots(), (4, true));
}

#[test]
fn every_spelling_of_a_flag_is_read() {
    for flags in [["-c", "2048"], ["--ctx-size", "2048"], ["--c", "2048"]] {
        assert_eq!(parse(&flags).unwrap().context_size, Some(2048), "{flags:?}");
    }
    for flags in [["-ngl", "10"], ["--n-gpu-layers", "10"], ["--gpu-layers", "10"], ["--ngl", "10"]] {
        assert_eq!(parse(&flags).unwrap().gpu_layers, GpuLayers::Count(10), "{flags:?}");
    }
    assert_eq!(parse(&["--ctx-size=1024"]).unwrap().context_size, Some(1024));
}

#[test]
fn last_occurrence_wins() {
    assert_eq!(parse(&["-c", "1024", "--threads", "2", "-c", "4096"]).unwrap().context_size, Some(4096));
}

#[test]
fn explicit_parallel_disables_the_unified_cache() {
    assert_eq!(parse(&["-np", "2"]).unwrap().slots(), (2, false));
    assert_eq!(parse(&["-np", "2", "--kv-unified"]).unwrap().slots(), (2, true));
    assert_eq!(parse(&["-np", "-1"]).unwrap().slots(), (4, true));
    assert_eq!(parse(&["--no-kv-unified"]).unwrap().slots(), (4, false));
}

#[test]
fn cache_types_and_offload() {
    let options = parse(&["-ctk", "q8_0", "--cache-type-v", "q4_0", "--no-kv-offload"]).unwrap();

    assert_eq!(options.cache_type_k, CacheType::Q8_0);
    assert_eq!(options.cache_type_v, CacheType::Q4_0);
    assert!(!options.kv_offload);
    assert!(matches!(parse(&["-ctk", "q3_k"]), Err(LaunchOptionsError::CacheType(_))));
}

#[test]
fn overrides_keep_order_moe_last() {
    let options = parse(&["--cpu-moe", "-ot", r"blk\.0\.=CUDA1,exps=CPU"]).unwrap();

    let devices: Vec<Device> = options.tensor_overrides.iter().map(|rule| rule.device).collect();
    assert_eq!(devices, [Device::Gpu(1), Device::Cpu, Device::Cpu]);
    assert!(options.tensor_overrides[2].matches("blk.3.ffn_up_exps.weight"));
}

#[test]
fn flash_attention_accepts_a_value_or_none() {
    assert!(!parse(&["-fa", "off"]).unwrap().flash_attention);
    assert!(parse(&["--flash-attn", "on"]).unwrap().flash_attention);

    // The bare switch of older builds leaves the next flag alone.
    let bare = parse(&["--flash-attn", "-c", "512"]).unwrap();
    assert!(bare.flash_attention);
    assert_eq!(bare.context_size, Some(512));
}

#[test]
fn batch_limits_the_physical_batch() {
    assert_eq!(parse(&["-ub", "1024"]).unwrap().ubatch_size, 1024);
    assert_eq!(parse(&["-ub", "1024", "-b", "256"]).unwrap().ubatch_size, 256);
}

#[test]
fn gpu_split_flags() {
    let options = parse(&["-ts", "3,1", "-sm", "none", "-mg", "1"]).unwrap();

    assert_eq!(options.tensor_split, [3.0, 1.0]);
    assert!(options.single_gpu);
    assert_eq!(options.main_gpu, 1);
}

#[test]
fn invalid_values_are_errors() {
    assert!(matches!(parse(&["-c", "many"]), Err(LaunchOptionsError::InvalidValue { .. })));
    assert!(matches!(parse(&["-ngl", "-3"]), Err(LaunchOptionsError::InvalidValue { .. })));
    assert!(matches!(parse(&["-c"]), Err(LaunchOptionsError::MissingValue { .. })));
    assert!(matches!(parse(&["-ts", "1,x"]), Err(LaunchOptionsError::InvalidValue { .. })));
}

#[test]
fn unrelated_flags_are_skipped() {
    let options = parse(&["--threads", "2", "--jinja", "--temp", "0.7", "-c", "2048"]).unwrap();
    assert_eq!(options.context_size, Some(2048));
}

use super::*;
use crate::placement::layer_devices::GpuShare;
use crate::placement::test_shapes::gemma_270m;

const MIB: f64 = (1 << 20) as f64;

fn cpu_cache_mib(flags: &[&str]) -> f64 {
    let flags: Vec<String> = flags.iter().map(|flag| (*flag).to_owned()).collect();
    let options = LaunchOptions::from_flags(&flags).unwrap();
    let shape = gemma_270m();
    let layout = KvLayout::of(&shape, &options);
    let layers = LayerDevices::assign(shape.block_count, &options, &[]);
    kv_cache_bytes(&shape, &options, &layout, &layers).bytes(Device::Cpu) as f64 / MIB
}

/// The sums of the "CPU KV buffer size" lines the test llama-server printed for gemma-3-270m
/// with these flags.
#[test]
fn gemma_cache_matches_llama_server_logs() {
    let cases: [(&[&str], f64); 8] = [
        (&["-c", "1024", "-np", "4"], 18.0),
        (&["-c", "4096", "-np", "1"], 27.0),
        (&["-c", "4096", "-np", "4"], 72.0),
        (&["-c", "16384", "-np", "1"], 63.0),
        (&["-c", "32768", "-np", "4"], 156.0),
        (&[], 133.5),
        (&["-c", "4096", "-np", "1", "-ub", "256"], 23.25),
        (&["-c", "4096", "-np", "1", "-ctk", "q8_0", "-ctv", "q8_0"], 14.34375),
    ];
    for (flags, logged) in cases {
        assert_eq!(cpu_cache_mib(flags), logged, "{flags:?}");
    }
}

#[test]
fn parallel_slots_share_the_context() {
    assert_eq!(cpu_cache_mib(&["-c", "8192", "-np", "1", "--swa-full"]), cpu_cache_mib(&["-c", "8192", "-np", "8", "--swa-full"]));
}

#[test]
fn cache_follows_offloaded_layers_unless_kept_on_cpu() {
    let shape = gemma_270m();
    let gpu = [GpuShare {
        device: Device::Gpu(0),
        weight: 1,
    }];
    let flags = |items: &[&str]| items.iter().map(|item| (*item).to_owned()).collect::<Vec<_>>();

    let offloaded = LaunchOptions::from_flags(&flags(&["-c", "4096", "-np", "1"])).unwrap();
    let layers = LayerDevices::assign(shape.block_count, &offloaded, &gpu);
    let cache = kv_cache_bytes(&shape, &offloaded, &KvLayout::of(&shape, &offloaded), &layers);
    assert_eq!(cache.bytes(Device::Cpu), 0);
    assert_eq!(cache.bytes(Device::Gpu(0)) as f64 / MIB, 27.0);

    let kept = LaunchOptions::from_flags(&flags(&["-c", "4096", "-np", "1", "--no-kv-offload"])).unwrap();
    let cache = kv_cache_bytes(&shape, &kept, &KvLayout::of(&shape, &kept), &layers);
    assert_eq!(cache.bytes(Device::Gpu(0)), 0);
    assert_eq!(cache.bytes(Device::Cpu) as f64 / MIB, 27.0);
}

#[test]
fn context_defaults_to_trained_length_and_is_padded() {
    let shape = gemma_270m();
    let default = KvLayout::of(&shape, &LaunchOptions::default());
    assert_eq!((default.context_size, default.slots, default.unified), (32_768, 4, true));

    let odd = LaunchOptions {
        context_size: Some(1000),
        ..LaunchOptions::default()
    };
    assert_eq!(KvLayout::of(&shape, &odd).context_size, 1024);
}

use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::time::Instant;

/// How often the process group is checked for remaining members while stopping.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Stops every member of the process group led by `leader`: SIGTERM, then SIGKILL for whatever
/// remains after `grace`. Returns once the group is empty, or shortly after SIGKILL.
///
/// Members that left the group (with `setsid` or `setpgid`) are out of reach.
pub(crate) async fn terminate_group(leader: u32, grace: Duration) {
    let group = Pid::from_raw(leader as i32);

    if send(group, Some(Signal::SIGTERM)).is_err() {
        return;
    }

    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if !group_exists(group) {
            return;
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }

    tracing::warn!(pid = leader, grace_seconds = grace.as_secs(), "process group ignored SIGTERM, sending SIGKILL");
    let _ = send(group, Some(Signal::SIGKILL));

    let kill_deadline = Instant::now() + Duration::from_secs(2);
    while group_exists(group) && Instant::now() < kill_deadline {
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

fn send(group: Pid, signal: Option<Signal>) -> Result<(), Errno> {
    match signal {
        Some(signal) => killpg(group, signal),
        None => nix::sys::signal::kill(Pid::from_raw(-group.as_raw()), None),
    }
}

/// True while any process is in the group. A zombie leader counts until it is reaped.
fn group_exists(group: Pid) -> bool {
    !matches!(send(group, None), Err(Errno::ESRCH))
}

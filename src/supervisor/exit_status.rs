use std::process::ExitStatus;

/// Describes an exit status as "exit code 3" or "killed by signal 9 (SIGKILL)".
pub(crate) fn describe_exit_status(status: &ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit code {code}");
    }

    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = nix::sys::signal::Signal::try_from(signal)
                .map(|signal| signal.as_str())
                .unwrap_or("unknown signal");
            return format!("killed by signal {signal} ({name})");
        }
    }

    status.to_string()
}

//! Makes a model process die with llama-runner, even when llama-runner is killed with SIGKILL.
#![allow(unsafe_code)]

use std::io::Result;

use process_wrap::tokio::{CommandWrap, CommandWrapper};
use tokio::process::Command;

/// Sets the Linux parent-death signal (`PR_SET_PDEATHSIG`) to SIGKILL in the child before `exec`.
///
/// The kernel delivers the signal when the thread that forked the child exits. tokio forks from
/// its worker threads, which live as long as the runtime, so in practice this is llama-runner's
/// own exit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParentDeathSignal {
    parent_pid: i32,
}

impl ParentDeathSignal {
    pub(crate) fn new() -> Self {
        Self {
            parent_pid: std::process::id() as i32,
        }
    }
}

impl CommandWrapper for ParentDeathSignal {
    fn pre_spawn(&mut self, command: &mut Command, _core: &CommandWrap) -> Result<()> {
        let parent_pid = self.parent_pid;
        // SAFETY: the closure runs in the forked child before exec and calls only prctl, getppid
        // and _exit, which are async-signal-safe; it allocates nothing and takes no locks.
        unsafe {
            command.pre_exec(move || {
                if nix::libc::prctl(nix::libc::PR_SET_PDEATHSIG, nix::libc::SIGKILL, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died between fork and prctl; then no signal would come.
                if nix::libc::getppid() != parent_pid {
                    nix::libc::_exit(1);
                }
                Ok(())
            });
        }
        Ok(())
    }
}

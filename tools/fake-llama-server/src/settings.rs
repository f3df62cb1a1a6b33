//! Fault-injection settings read from `FAKE_*` environment variables.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Fault that `FAKE_MODE` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultMode {
    Normal,
    ExitDuringLoad,
    ExitMidStream,
    HangBeforeFirstByte,
    Answer500,
    Answer400,
    IgnoreSigterm,
    ForkGrandchild,
}

impl FaultMode {
    const NAMES: [(&'static str, FaultMode); 8] = [
        ("normal", Self::Normal),
        ("exit_during_load", Self::ExitDuringLoad),
        ("exit_mid_stream", Self::ExitMidStream),
        ("hang_before_first_byte", Self::HangBeforeFirstByte),
        ("answer_500", Self::Answer500),
        ("answer_400", Self::Answer400),
        ("ignore_sigterm", Self::IgnoreSigterm),
        ("fork_grandchild", Self::ForkGrandchild),
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, mode)| *mode)
    }

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, mode)| *mode == self)
            .map_or("normal", |(name, _)| name)
    }
}

/// Behaviour of one fake server process. Every field has a default, so an empty
/// environment gives a well-behaved server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeSettings {
    pub mode: FaultMode,
    /// `FAKE_LOAD_MS`: time after start during which requests get 503 "Loading model".
    pub load_time: Duration,
    /// `FAKE_CHUNK_DELAY_MS`: pause between streamed frames.
    pub chunk_delay: Duration,
    /// `FAKE_FIRST_BYTE_DELAY_MS`: pause before a completion response's headers.
    pub first_byte_delay: Duration,
    /// `FAKE_CHUNKS`: number of content chunks in a completion.
    pub chunk_count: usize,
    /// `FAKE_TOOL_CALLS`: when above 0, chat completions reply with this many parallel tool
    /// calls, or echo the received messages when the last one is a tool result.
    pub tool_calls: usize,
    /// `FAKE_CHUNKS_BEFORE_EXIT`: content chunks streamed before `exit_mid_stream` exits.
    pub chunks_before_exit: usize,
    /// `FAKE_PID_FILE`: file that gets this process's PID appended at start.
    pub pid_file: Option<PathBuf>,
    /// `FAKE_REQUEST_LOG`: JSON-lines file of received requests and client disconnects.
    pub request_log: Option<PathBuf>,
    /// `FAKE_GRANDCHILD_PID_FILE`: file that gets the `fork_grandchild` child's PID.
    pub grandchild_pid_file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    InvalidMode {
        value: String,
    },
    InvalidNumber {
        variable: &'static str,
        value: String,
    },
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidMode { value } => {
                let names: Vec<&str> = FaultMode::NAMES.iter().map(|(name, _)| *name).collect();
                write!(
                    f,
                    "invalid FAKE_MODE {value:?}: expected one of {}",
                    names.join(", ")
                )
            }
            Self::InvalidNumber { variable, value } => {
                write!(
                    f,
                    "invalid {variable} {value:?}: expected a non-negative integer"
                )
            }
        }
    }
}

impl std::error::Error for SettingsError {}

impl FakeSettings {
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, which returns a variable's value or `None` when unset.
    /// An empty value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let read = |name: &str| lookup(name).filter(|value| !value.is_empty());

        let number = |variable: &'static str, default: u64| match read(variable) {
            None => Ok(default),
            Some(value) => value
                .trim()
                .parse::<u64>()
                .map_err(|_| SettingsError::InvalidNumber { variable, value }),
        };

        let mode = match read("FAKE_MODE") {
            None => FaultMode::Normal,
            Some(value) => {
                FaultMode::parse(value.trim()).ok_or(SettingsError::InvalidMode { value })?
            }
        };

        Ok(Self {
            mode,
            load_time: Duration::from_millis(number("FAKE_LOAD_MS", 0)?),
            chunk_delay: Duration::from_millis(number("FAKE_CHUNK_DELAY_MS", 0)?),
            first_byte_delay: Duration::from_millis(number("FAKE_FIRST_BYTE_DELAY_MS", 0)?),
            chunk_count: to_count(number("FAKE_CHUNKS", 5)?),
            tool_calls: to_count(number("FAKE_TOOL_CALLS", 0)?),
            chunks_before_exit: to_count(number("FAKE_CHUNKS_BEFORE_EXIT", 2)?),
            pid_file: read("FAKE_PID_FILE").map(PathBuf::from),
            request_log: read("FAKE_REQUEST_LOG").map(PathBuf::from),
            grandchild_pid_file: read("FAKE_GRANDCHILD_PID_FILE").map(PathBuf::from),
        })
    }
}

fn to_count(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(pairs: &[(&str, &str)]) -> Result<FakeSettings, SettingsError> {
        let env: HashMap<String, String> = pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect();
        FakeSettings::from_lookup(|name| env.get(name).cloned())
    }

    #[test]
    fn empty_environment_gives_defaults() {
        let settings = settings(&[]).unwrap();

        assert_eq!(settings.mode, FaultMode::Normal);
        assert_eq!(settings.load_time, Duration::ZERO);
        assert_eq!(settings.chunk_count, 5);
        assert_eq!(settings.tool_calls, 0);
        assert_eq!(settings.chunks_before_exit, 2);
        assert_eq!(settings.pid_file, None);
    }

    #[test]
    fn every_mode_name_round_trips() {
        for (name, mode) in FaultMode::NAMES {
            let parsed = settings(&[("FAKE_MODE", name)]).unwrap();

            assert_eq!(parsed.mode, mode, "FAKE_MODE={name}");
            assert_eq!(mode.name(), name);
        }
    }

    #[test]
    fn numbers_and_paths_are_read() {
        let settings = settings(&[
            ("FAKE_LOAD_MS", "1500"),
            ("FAKE_CHUNK_DELAY_MS", "300"),
            ("FAKE_FIRST_BYTE_DELAY_MS", "20"),
            ("FAKE_CHUNKS", "7"),
            ("FAKE_CHUNKS_BEFORE_EXIT", "0"),
            ("FAKE_REQUEST_LOG", "/tmp/requests.jsonl"),
        ])
        .unwrap();

        assert_eq!(settings.load_time, Duration::from_millis(1500));
        assert_eq!(settings.chunk_delay, Duration::from_millis(300));
        assert_eq!(settings.first_byte_delay, Duration::from_millis(20));
        assert_eq!(settings.chunk_count, 7);
        assert_eq!(settings.chunks_before_exit, 0);
        assert_eq!(
            settings.request_log,
            Some(PathBuf::from("/tmp/requests.jsonl"))
        );
    }

    #[test]
    fn unknown_mode_is_rejected() {
        let error = settings(&[("FAKE_MODE", "explode")]).unwrap_err();

        assert_eq!(
            error,
            SettingsError::InvalidMode {
                value: "explode".to_owned()
            }
        );
        assert!(error.to_string().contains("exit_mid_stream"));
    }

    #[test]
    fn invalid_number_is_rejected() {
        let error = settings(&[("FAKE_LOAD_MS", "-5")]).unwrap_err();

        assert_eq!(
            error,
            SettingsError::InvalidNumber {
                variable: "FAKE_LOAD_MS",
                value: "-5".to_owned()
            }
        );
    }

    #[test]
    fn empty_value_counts_as_unset() {
        let settings = settings(&[("FAKE_MODE", ""), ("FAKE_CHUNKS", "")]).unwrap();

        assert_eq!(settings.mode, FaultMode::Normal);
        assert_eq!(settings.chunk_count, 5);
    }
}

//! Lenient parsing of the command line that llama-runner passes to llama-server.

use std::fmt;

/// Hidden flag that makes the process sleep until it is killed. The `fork_grandchild` mode
/// starts a copy of this binary with it.
pub const SLEEP_FOREVER_FLAG: &str = "--fake-sleep-forever";

/// llama-server's default port when `--port` is absent.
const DEFAULT_PORT: u16 = 8080;

/// The flags this double reads. Every other flag is accepted and ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerArgs {
    pub model: Option<String>,
    pub alias: Option<String>,
    pub host: String,
    pub port: u16,
    pub sleep_forever: bool,
}

impl Default for ServerArgs {
    fn default() -> Self {
        Self {
            model: None,
            alias: None,
            host: "127.0.0.1".to_owned(),
            port: DEFAULT_PORT,
            sleep_forever: false,
        }
    }
}

impl ServerArgs {
    /// Model id served in `/v1/models`: the alias, else the model path.
    pub fn model_id(&self) -> String {
        self.alias
            .clone()
            .or_else(|| self.model.clone())
            .unwrap_or_else(|| "fake-model".to_owned())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    MissingValue { flag: String },
    InvalidPort { value: String },
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingValue { flag } => write!(f, "missing value for {flag}"),
            Self::InvalidPort { value } => {
                write!(
                    f,
                    "invalid --port {value:?}: expected an integer from 0 to 65535"
                )
            }
        }
    }
}

impl std::error::Error for ArgsError {}

/// Parses the arguments after the program name.
///
/// Known flags take their value from the next argument or after `=`. An unknown flag consumes
/// the next argument as its value unless that argument is itself a flag, so both
/// `--ctx-size 4096` and a bare `--jinja` are skipped. Stray positional arguments are ignored.
pub fn parse_args<I>(args: I) -> Result<ServerArgs, ArgsError>
where
    I: IntoIterator<Item = String>,
{
    let mut parsed = ServerArgs::default();
    let mut args = args.into_iter().peekable();

    while let Some(arg) = args.next() {
        if !is_flag(&arg) {
            continue;
        }

        let (flag, inline_value) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };

        if flag == SLEEP_FOREVER_FLAG {
            parsed.sleep_forever = true;
            continue;
        }

        let known = matches!(
            flag.as_str(),
            "-m" | "--model" | "-a" | "--alias" | "--host" | "--port"
        );
        if !known {
            if inline_value.is_none() && args.peek().is_some_and(|next| !is_flag(next)) {
                args.next();
            }
            continue;
        }

        let value = match inline_value.or_else(|| args.next_if(|next| !is_flag(next))) {
            Some(value) => value,
            None => return Err(ArgsError::MissingValue { flag }),
        };

        match flag.as_str() {
            "-m" | "--model" => parsed.model = Some(value),
            "-a" | "--alias" => parsed.alias = Some(value),
            "--host" => parsed.host = value,
            _ => {
                parsed.port = value.parse().map_err(|_| ArgsError::InvalidPort {
                    value: value.clone(),
                })?;
            }
        }
    }

    Ok(parsed)
}

/// Treats `--name` and `-x...` as flags, but not negative numbers such as `-1`.
fn is_flag(arg: &str) -> bool {
    if arg.starts_with("--") {
        return true;
    }

    let mut chars = arg.chars();
    chars.next() == Some('-') && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<ServerArgs, ArgsError> {
        parse_args(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn known_flags_are_read() {
        let args = parse("--model /m/a.gguf --alias qwen --host 127.0.0.1 --port 9001").unwrap();

        assert_eq!(args.model.as_deref(), Some("/m/a.gguf"));
        assert_eq!(args.alias.as_deref(), Some("qwen"));
        assert_eq!(args.host, "127.0.0.1");
        assert_eq!(args.port, 9001);
        assert!(!args.sleep_forever);
    }

    #[test]
    fn unknown_flags_with_values_are_skipped() {
        let args =
            parse("--ctx-size 4096 --port 9002 --threads 2 --flash-attn on --alias x").unwrap();

        assert_eq!(args.port, 9002);
        assert_eq!(args.alias.as_deref(), Some("x"));
    }

    #[test]
    fn bare_unknown_flag_keeps_next_flag() {
        let args = parse("--jinja --port 9003 --no-mmap -m model.gguf --verbose").unwrap();

        assert_eq!(args.port, 9003);
        assert_eq!(args.model.as_deref(), Some("model.gguf"));
    }

    #[test]
    fn unknown_flag_consumes_negative_number() {
        let args = parse("--n-gpu-layers -1 --port 9004").unwrap();

        assert_eq!(args.port, 9004);
    }

    #[test]
    fn inline_values_are_read() {
        let args = parse("--port=9005 --alias=a=b --ctx-size=4096 --host 127.0.0.1").unwrap();

        assert_eq!(args.port, 9005);
        assert_eq!(args.alias.as_deref(), Some("a=b"));
        assert_eq!(args.host, "127.0.0.1");
    }

    #[test]
    fn defaults_apply_without_flags() {
        let args = parse("").unwrap();

        assert_eq!(args, ServerArgs::default());
        assert_eq!(args.port, 8080);
        assert_eq!(args.model_id(), "fake-model");
    }

    #[test]
    fn model_id_falls_back_to_model_path() {
        let args = parse("--model /m/b.gguf").unwrap();

        assert_eq!(args.model_id(), "/m/b.gguf");
    }

    #[test]
    fn missing_value_is_an_error() {
        assert_eq!(
            parse("--alias x --port"),
            Err(ArgsError::MissingValue {
                flag: "--port".to_owned()
            })
        );
        assert_eq!(
            parse("--model --port 1"),
            Err(ArgsError::MissingValue {
                flag: "--model".to_owned()
            })
        );
    }

    #[test]
    fn invalid_port_is_an_error() {
        assert_eq!(
            parse("--port 70000"),
            Err(ArgsError::InvalidPort {
                value: "70000".to_owned()
            })
        );
        assert!(parse("--port abc").is_err());
    }

    #[test]
    fn sleep_forever_flag_is_recognised() {
        let args = parse(SLEEP_FOREVER_FLAG).unwrap();

        assert!(args.sleep_forever);
    }
}

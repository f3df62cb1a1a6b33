//! Finding a runtime's executable the way starting a process does: a value with a path
//! separator is a path (relative to the working directory), a bare name is looked up on `PATH`.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ProgramLookupError {
    #[error("executable not found: no file at {0}")]
    NotFound(PathBuf),
    #[error("executable not found on PATH")]
    NotOnPath,
    #[error("{0} is a directory, not an executable")]
    Directory(PathBuf),
    #[error("{0} is not executable: set its execute permission (chmod +x)")]
    NotExecutable(PathBuf),
    #[error("cannot read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Returns the file that running `program` would execute.
pub fn find_program(program: &str) -> Result<PathBuf, ProgramLookupError> {
    let as_path = Path::new(program);
    if as_path.components().count() > 1 || as_path.is_absolute() {
        return check_executable(as_path).map(|()| as_path.to_owned());
    }

    let search_path = std::env::var_os("PATH").unwrap_or_default();
    for directory in std::env::split_paths(&search_path) {
        for candidate in candidates(&directory.join(program)) {
            if check_executable(&candidate).is_ok() {
                return Ok(candidate);
            }
        }
    }
    Err(ProgramLookupError::NotOnPath)
}

#[cfg(windows)]
fn candidates(path: &Path) -> Vec<PathBuf> {
    if path.extension().is_some() {
        vec![path.to_owned()]
    } else {
        vec![path.to_owned(), path.with_extension("exe")]
    }
}

#[cfg(not(windows))]
fn candidates(path: &Path) -> Vec<PathBuf> {
    vec![path.to_owned()]
}

fn check_executable(path: &Path) -> Result<(), ProgramLookupError> {
    let metadata = std::fs::metadata(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => ProgramLookupError::NotFound(path.to_owned()),
        _ => ProgramLookupError::Unreadable {
            path: path.to_owned(),
            source,
        },
    })?;
    if metadata.is_dir() {
        return Err(ProgramLookupError::Directory(path.to_owned()));
    }

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        const ANY_EXECUTE_BIT: u32 = 0o111;
        if metadata.permissions().mode() & ANY_EXECUTE_BIT == 0 {
            return Err(ProgramLookupError::NotExecutable(path.to_owned()));
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn bare_name_is_found_on_path() {
        let found = find_program("sh").expect("sh is on PATH");
        assert!(found.is_absolute(), "{}", found.display());
    }

    #[test]
    fn unknown_bare_name_is_not_on_path() {
        let result = find_program("llama-runner-no-such-program");
        assert!(matches!(result, Err(ProgramLookupError::NotOnPath)), "{result:?}");
    }

    #[test]
    fn missing_path_and_directory_are_named() {
        let result = find_program("/nonexistent/llama-server");
        assert!(matches!(result, Err(ProgramLookupError::NotFound(_))), "{result:?}");

        let result = find_program("/tmp");
        assert!(matches!(result, Err(ProgramLookupError::Directory(_))), "{result:?}");
    }

    #[test]
    fn file_without_execute_bit_is_rejected() {
        let path = std::env::temp_dir().join(format!("llama-runner-not-executable-{}", std::process::id()));
        std::fs::write(&path, "#!/bin/sh\n").unwrap();

        let result = find_program(path.to_str().unwrap());
        let _ = std::fs::remove_file(&path);
        assert!(matches!(result, Err(ProgramLookupError::NotExecutable(_))), "{result:?}");
    }
}

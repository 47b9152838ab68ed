//! Reading the user's input files (config, catalog, state), and saying what
//! is wrong with them: a file that cannot be read gets a config error with
//! the fix, and one this process may not read names the user it runs as,
//! the file's owner and mode, and the `docker run --user` that lets the
//! image read it. Messages about a value of the wrong JSON type name the
//! type ([`json_type`]), never the value.

use std::path::Path;

use serde_json::Value;

use crate::error::Error;

/// The text of the input file (`what`: config, catalog, state) at `path`.
///
/// # Errors
/// A [`Error::Config`] from [`unreadable_file`] when it cannot be read.
pub fn read(what: &str, path: &Path, fix: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| unreadable_file(what, path, &e, fix))
}

/// An input file (`what`: config, catalog, state) that could not be
/// read. `fix` says what to pass instead; a file this process may not
/// read gets [`not_readable`] instead, which names the user and the fix.
fn unreadable_file(what: &str, path: &Path, error: &std::io::Error, fix: &str) -> Error {
    let shown = path.display();
    Error::Config(match error.kind() {
        std::io::ErrorKind::PermissionDenied => format!(
            "Could not read the {what} file {shown}: permission denied. {}",
            not_readable(&Access::of(path))
        ),
        _ => format!("Could not read the {what} file {shown}: {error}. {fix}"),
    })
}

/// Who is reading a file and whose file it is, for [`not_readable`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// This process's (effective) user and group.
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Whether this process runs in a container (Docker, podman, Airbyte's pods).
    pub in_container: bool,
    /// The file's owner and permission bits, when they can be read.
    pub owner: Option<u32>,
    pub mode: Option<u32>,
}

impl Access {
    /// The facts for `path`, as far as they can be found.
    pub fn of(path: &Path) -> Access {
        #[cfg(unix)]
        let (owner, mode) = {
            use std::os::unix::fs::MetadataExt;
            match std::fs::metadata(path) {
                Ok(m) => (Some(m.uid()), Some(m.mode() & 0o7777)),
                Err(_) => (None, None),
            }
        };
        #[cfg(not(unix))]
        let (owner, mode) = {
            let _ = path;
            (None, None)
        };
        #[cfg(target_os = "linux")]
        // SAFETY: geteuid and getegid have no preconditions and cannot fail.
        let (uid, gid) = unsafe { (Some(libc::geteuid()), Some(libc::getegid())) };
        #[cfg(not(target_os = "linux"))]
        let (uid, gid) = (None, None);
        Access {
            uid,
            gid,
            in_container: Path::new("/.dockerenv").exists()
                || Path::new("/run/.containerenv").exists()
                || std::env::var_os("AIRBYTE_ENTRYPOINT").is_some(),
            owner,
            mode,
        }
    }
}

/// Why a file cannot be read and what to do, for a permission error: the
/// user this process (the container) runs as, the file's owner and mode,
/// and the `docker run --user` that lets the image read the user's files.
fn not_readable(access: &Access) -> String {
    let who = match (access.uid, access.gid) {
        (Some(uid), Some(gid)) => format!("uid {uid}, gid {gid}"),
        (Some(uid), None) => format!("uid {uid}"),
        _ => "its user".to_owned(),
    };
    let runner = if access.in_container {
        "The container runs as"
    } else {
        "This process runs as"
    };
    let file = match (access.owner, access.mode) {
        (Some(owner), Some(mode)) => format!("the file (owner uid {owner}, mode {mode:o})"),
        _ => "the file (or a folder on its path)".to_owned(),
    };
    let reader = access
        .uid
        .map_or_else(|| "this user".to_owned(), |uid| format!("uid {uid}"));
    let docker = "docker run --user \"$(id -u):$(id -g)\" -v \"$PWD:/data:ro\" ...";
    if access.in_container {
        format!(
            "{runner} {who}, and {file} is not readable by that user. Run the container as your \
             own user, so that it can read your files: {docker} (the README's Docker section has \
             the whole command); or make the file readable by {reader}."
        )
    } else {
        format!(
            "{runner} {who}, and {file} is not readable by that user. Run the connector as a \
             user who can read it, or make it readable by {reader}. In Docker, run the container \
             as your own user: {docker} (the README's Docker section has the whole command)."
        )
    }
}

/// A short description of a JSON value's type for error messages; it never
/// includes the value itself.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::FailureType;

    #[test]
    fn a_file_the_user_cannot_read_names_the_user_and_the_docker_fix() {
        let access = Access {
            uid: Some(1000),
            gid: Some(1000),
            in_container: true,
            owner: Some(501),
            mode: Some(0o600),
        };
        assert_eq!(
            not_readable(&access),
            "The container runs as uid 1000, gid 1000, and the file (owner uid 501, mode 600) is \
             not readable by that user. Run the container as your own user, so that it can read \
             your files: docker run --user \"$(id -u):$(id -g)\" -v \"$PWD:/data:ro\" ... (the \
             README's Docker section has the whole command); or make the file readable by uid 1000."
        );
        let outside = not_readable(&Access {
            in_container: false,
            owner: None,
            mode: None,
            ..access
        });
        assert!(
            outside.starts_with(
                "This process runs as uid 1000, gid 1000, and the file (or a folder on its path) \
                 is not readable by that user."
            ),
            "{outside}"
        );
        assert!(
            outside.contains("--user \"$(id -u):$(id -g)\""),
            "{outside}"
        );
        assert!(not_readable(&Access::default()).contains("runs as its user"));
    }

    #[test]
    fn a_permission_error_is_a_config_error_about_the_user() {
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = unreadable_file("config", Path::new("/data/config.json"), &denied, "FIX");
        assert_eq!(e.failure_type(), FailureType::ConfigError);
        let m = e.to_string();
        assert!(
            m.starts_with("Could not read the config file /data/config.json: permission denied. "),
            "{m}"
        );
        assert!(m.contains("not readable by that user"), "{m}");
        assert!(m.contains("docker run --user"), "{m}");
        assert!(!m.contains("FIX"), "{m}");
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let m = unreadable_file("state", Path::new("s.json"), &missing, "FIX").to_string();
        assert!(
            m.starts_with("Could not read the state file s.json: "),
            "{m}"
        );
        assert!(m.ends_with(". FIX"), "{m}");
    }
}

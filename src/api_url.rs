//! Where requests go: Paystack's API, or the base URL of the environment
//! variable `PAYSTACK_API_URL` (the fake Paystack, a test server). A value
//! that is not an `http://` or `https://` URL is refused at once, and so is
//! plain `http://` to anything but this machine (the secret key would travel
//! in clear text) unless `PAYSTACK_API_ALLOW_HTTP=1` allows it on purpose.
//! When requests go elsewhere than Paystack, [`ApiUrl::elsewhere_note`] says
//! where, for every failure message.

use std::net::IpAddr;

use reqwest::Url;

use crate::error::Error;

/// Paystack's API.
pub const PAYSTACK: &str = "https://api.paystack.co";

/// The variable that sets the base URL.
pub const VARIABLE: &str = "PAYSTACK_API_URL";

/// The variable that allows plain `http://` to another machine.
pub const ALLOW_HTTP: &str = "PAYSTACK_API_ALLOW_HTTP";

/// The base URL of the API, without a trailing slash, checked.
///
/// `url` is the value of `PAYSTACK_API_URL` (unset or blank: Paystack's
/// API), `allow_http` that of `PAYSTACK_API_ALLOW_HTTP` (`1` or `true`
/// allows plain `http://` to any host).
///
/// # Errors
/// A [`Error::Config`] naming the variable and the fix when the value is
/// not an `http://` or `https://` URL with a host, has a query or fragment,
/// or is plain `http://` to a host that is not this machine and not
/// allowed; or when `PAYSTACK_API_ALLOW_HTTP` is neither `1`, `true`, `0`,
/// `false` nor blank.
pub fn base_url(url: Option<&str>, allow_http: Option<&str>) -> Result<String, Error> {
    let allowed = match allow_http.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("" | "0" | "false") => false,
        Some("1" | "true") => true,
        Some(_) => {
            return Err(Error::config(format!(
                "The environment variable {ALLOW_HTTP} must be 1 (allow plain http:// to any \
                 host) or 0. Fix it, or unset it."
            )));
        }
    };
    let text = match url.map(str::trim) {
        None | Some("") => return Ok(PAYSTACK.to_owned()),
        Some(text) => text,
    };
    let unset = format!("or unset {VARIABLE} to use Paystack's API ({PAYSTACK})");
    let parsed = Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    let Some(parsed) = parsed else {
        let with_scheme = format!("http://{text}");
        let hint = match Url::parse(&with_scheme) {
            Ok(u) if u.host().is_some() && !text.contains("//") && !has_http_scheme(text) => {
                format!(" (it has no scheme: did you mean {with_scheme}?)")
            }
            _ => String::new(),
        };
        return Err(Error::config(format!(
            "The environment variable {VARIABLE} is {text:?}, which is not an http:// or \
             https:// URL{hint}. Set it to a base URL such as http://127.0.0.1:8899 (the fake \
             Paystack), {unset}."
        )));
    };
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::config(format!(
            "The environment variable {VARIABLE} is {text:?}, but a base URL has no query or \
             fragment (? or #). Set it to a base URL such as http://127.0.0.1:8899, {unset}."
        )));
    }
    if parsed.scheme() == "http" && !allowed && !is_loopback(&parsed) {
        return Err(Error::config(format!(
            "The environment variable {VARIABLE} is {text:?}: plain http:// to another machine \
             would send the secret key unencrypted, so it is refused. Use https://, {unset}; to \
             send it in clear text on purpose (a test server on a private network), set \
             {ALLOW_HTTP}=1."
        )));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// Whether `text` starts with `http:` or `https:`, in any case.
fn has_http_scheme(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.starts_with("http:") || lower.starts_with("https:")
}

/// Whether `url`'s host is this machine: `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || ip.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// What every failure message adds when requests do not go to Paystack's
/// API: where they went and what set it. `None` for Paystack's API.
pub fn elsewhere_note(base_url: &str) -> Option<String> {
    (base_url != PAYSTACK).then(|| {
        format!(
            " The requests went to {base_url}, not to Paystack's API ({PAYSTACK}): the \
             environment variable {VARIABLE} set it, so \"Paystack\" here means that server. To \
             use Paystack, unset {VARIABLE}."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, allow: Option<&str>) -> String {
        match base_url(Some(url), allow) {
            Err(e @ Error::Config(_)) => e.to_string(),
            other => panic!("{url}: expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn unset_or_blank_is_paystack_and_urls_lose_their_trailing_slash() {
        assert_eq!(base_url(None, None).unwrap(), PAYSTACK);
        assert_eq!(base_url(Some("  "), None).unwrap(), PAYSTACK);
        for (given, used) in [
            ("http://127.0.0.1:8899/", "http://127.0.0.1:8899"),
            (" http://localhost:8899 ", "http://localhost:8899"),
            ("http://LOCALHOST:1", "http://LOCALHOST:1"),
            ("http://127.1.2.3:9", "http://127.1.2.3:9"),
            ("http://[::1]:8899", "http://[::1]:8899"),
            (
                "https://paystack.example.com/api/",
                "https://paystack.example.com/api",
            ),
            ("https://api.paystack.co", PAYSTACK),
        ] {
            assert_eq!(base_url(Some(given), None).unwrap(), used, "{given}");
        }
    }

    /// A value without a scheme, another scheme, no host, a query: a
    /// config error naming the variable at once (never a network retry),
    /// with the scheme suggested when the value is a host and port.
    #[test]
    fn a_malformed_url_is_a_config_error_naming_the_variable() {
        let m = refused("127.0.0.1:8893", None);
        assert_eq!(
            m,
            "The environment variable PAYSTACK_API_URL is \"127.0.0.1:8893\", which is not an \
             http:// or https:// URL (it has no scheme: did you mean http://127.0.0.1:8893?). Set \
             it to a base URL such as http://127.0.0.1:8899 (the fake Paystack), or unset \
             PAYSTACK_API_URL to use Paystack's API (https://api.paystack.co)."
        );
        assert!(refused("localhost:8893", None).contains("did you mean http://localhost:8893?"));
        for bad in [
            "ftp://127.0.0.1",
            "http//127.0.0.1:1",
            "http://",
            "file:///tmp/x",
            "x y",
        ] {
            let m = refused(bad, None);
            assert!(m.contains("not an http:// or https:// URL"), "{bad}: {m}");
            assert!(!m.contains("did you mean"), "{bad}: {m}");
        }
        assert!(refused("http://127.0.0.1:1/?a=1", None).contains("no query or fragment"));
    }

    /// Plain http:// is refused except to this machine, unless allowed on
    /// purpose; https:// goes anywhere.
    #[test]
    fn plain_http_to_another_machine_needs_the_allow_variable() {
        for host in [
            "http://10.0.0.5:8899",
            "http://host.containers.internal:8899",
            "http://api.paystack.co",
            "http://[2001:db8::1]:80",
            "http://localhost.evil.example",
        ] {
            let m = refused(host, None);
            assert!(
                m.contains("would send the secret key unencrypted"),
                "{host}: {m}"
            );
            assert!(m.contains("PAYSTACK_API_ALLOW_HTTP=1"), "{host}: {m}");
            assert!(refused(host, Some("0")).contains("unencrypted"), "{host}");
            for yes in ["1", "true", " TRUE "] {
                assert_eq!(base_url(Some(host), Some(yes)).unwrap(), host, "{host}");
            }
        }
        assert!(base_url(Some("https://10.0.0.5:8899"), None).is_ok());
        assert!(refused("http://127.0.0.1:1", Some("yes")).contains("must be 1"));
    }

    #[test]
    fn the_note_names_the_url_and_the_variable_only_away_from_paystack() {
        assert_eq!(elsewhere_note(PAYSTACK), None);
        let note = elsewhere_note("http://127.0.0.1:8899").unwrap();
        assert!(note.contains("went to http://127.0.0.1:8899"), "{note}");
        assert!(note.contains("unset PAYSTACK_API_URL"), "{note}");
    }
}

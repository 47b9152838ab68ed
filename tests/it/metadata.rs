//! metadata.yaml, the Dockerfile and Cargo.toml agree on the image's name,
//! version, entrypoint and user.

fn value_of<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(|v| v.trim().trim_matches('"'))
}

#[test]
fn metadata_dockerfile_and_crate_agree() {
    let metadata = include_str!("../../metadata.yaml");
    let dockerfile = include_str!("../../Dockerfile");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(value_of(metadata, "dockerImageTag"), Some(version));
    let repo = value_of(metadata, "dockerRepository").unwrap();
    assert_eq!(repo, "airbyte/source-paystack");
    assert!(metadata.contains("- language:rust"));
    assert!(metadata.contains("- api.paystack.co"));
    assert!(
        dockerfile.contains(&format!("io.airbyte.name=\"{repo}\"")),
        "name label"
    );
    assert!(
        dockerfile.contains(&format!("io.airbyte.version=\"{version}\"")),
        "version label"
    );
    let entrypoint = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("ENTRYPOINT "))
        .expect("an ENTRYPOINT");
    assert_eq!(
        entrypoint, r#"["/usr/local/bin/source-paystack"]"#,
        "exec form"
    );
    assert!(
        dockerfile.contains(r#"ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/source-paystack""#),
        "AIRBYTE_ENTRYPOINT equals the entrypoint"
    );
    let user = dockerfile
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("USER "))
        .unwrap();
    assert_eq!(
        user, "1000:1000",
        "the platform's rootless UID/GID (the user airbyte)"
    );
    assert!(dockerfile.contains("airbyte:x:1000:1000:"));
    assert!(dockerfile.contains("FROM scratch AS runtime"));
}

//! The README and `docs/` stay usable: the README within its line budget
//! (detail belongs in `docs/`), every relative link pointing at a file and
//! a heading that exist, and what users make at the root (configs, states,
//! read outputs, PyAirbyte's cache) kept out of git and of Docker builds.

use std::path::{Path, PathBuf};

/// The README says what a user needs; more goes to `docs/`.
const README_LINES: usize = 425;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README and every page of `docs/`.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The lines of a page outside its code blocks.
fn prose(text: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    text.lines().filter(move |line| {
        if line.starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The anchors GitHub gives a page's headings: lowercase, punctuation
/// dropped, spaces as `-`.
fn anchors(text: &str) -> Vec<String> {
    prose(text)
        .filter_map(|line| line.strip_prefix('#'))
        .map(|title| {
            title
                .trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect()
}

/// The targets of a page's Markdown links (`[text](target)`).
fn links(text: &str) -> Vec<String> {
    let mut links = Vec::new();
    for line in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                links.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    links
}

#[test]
fn the_readme_stays_within_its_line_budget() {
    let lines = read(&root().join("README.md")).lines().count();
    assert!(
        lines <= README_LINES,
        "README.md has {lines} lines, more than {README_LINES}: keep it to what a user needs, \
         and move detail (design, history, figures) to a page of docs/, linked from it"
    );
}

#[test]
fn every_relative_link_of_the_readme_and_docs_resolves() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = read(&page);
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            checked += 1;
            let heading_found = || {
                target.extension().is_some_and(|e| e == "md")
                    && anchors(&read(&target)).iter().any(|a| a == anchor)
            };
            if !target.exists() {
                broken.push(format!("{}: {link} (no such file)", page.display()));
            } else if !anchor.is_empty() && !heading_found() {
                broken.push(format!("{}: {link} (no such heading)", page.display()));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the parser right?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_anchor_rule_is_githubs() {
    assert_eq!(
        anchors(
            "# Switching from Airbyte's source-paystack\n## What we guarantee, in detail\n```sh\n# a comment\n```\n### `x-ratelimit-reset` in any form"
        ),
        [
            "switching-from-airbytes-source-paystack",
            "what-we-guarantee-in-detail",
            "x-ratelimit-reset-in-any-form"
        ]
    );
    assert_eq!(
        links("see [a](docs/a.md#b) and [c](#d)\n```\n[e](f)\n```"),
        ["docs/a.md#b", "#d"]
    );
}

/// What a user makes at the root by following the README (a config with a
/// real key, states, read outputs, Airbyte's secrets/ folder) and what
/// PyAirbyte writes where it runs (its DuckDB cache in `.cache/`, the
/// virtualenvs of the connectors it installs) stay out of git and out of
/// the image's build context.
#[test]
fn user_files_and_pyairbytes_cache_are_ignored_by_git_and_docker() {
    let patterns = |name: &str| -> Vec<String> {
        read(&root().join(name))
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    let git = patterns(".gitignore");
    for want in [
        "/config.json",
        "/state.json",
        "/*.jsonl",
        "secrets/",
        ".cache/",
        ".venv-*/",
    ] {
        assert!(git.iter().any(|p| p == want), ".gitignore lacks {want}");
    }
    let docker = patterns(".dockerignore");
    for want in [
        "config.json",
        "state.json",
        "*.jsonl",
        "**/secrets",
        ".cache",
        "**/.cache",
        ".venv-*",
    ] {
        assert!(
            docker.iter().any(|p| p == want),
            ".dockerignore lacks {want}"
        );
    }
}

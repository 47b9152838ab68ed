//! The modules of `src/` form layers: the `crate::` paths of their non-test
//! code (comments, doc comments, strings and `#[cfg(test)]` items left out)
//! make a graph without a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The text of Rust source with comments, string and char literals blanked.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(b.len(), |n| i + n);
            i = end;
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").map_or(b.len(), |n| i + n + 2);
            out.extend(text[i..end].chars().filter(|&c| c == '\n'));
            i = end;
        } else if let Some(hashes) = raw_string_start(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let open = 2 + hashes;
            let end = rest[open..]
                .find(&close)
                .map_or(b.len(), |n| i + open + n + close.len());
            out.push_str("\"\"");
            i = end;
        } else if b[i] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if let Some(n) = (b[i] == b'\'').then(|| char_literal_len(rest)).flatten() {
            out.push_str("' '");
            i += n;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `r"`, `r#"`, `br##"`...: the number of `#`.
fn raw_string_start(rest: &str) -> Option<usize> {
    let rest = rest.strip_prefix('b').unwrap_or(rest);
    let rest = rest.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    rest[hashes..].starts_with('"').then_some(hashes)
}

/// The length of a char literal at the start of `rest` (`'a'`, `'\n'`,
/// `'{'`), or `None` for a lifetime.
fn char_literal_len(rest: &str) -> Option<usize> {
    let body = &rest[1..];
    if let Some(escaped) = body.strip_prefix('\\') {
        let n = escaped.char_indices().skip(1).find(|&(_, c)| c == '\'')?.0;
        return Some(n + 3);
    }
    let c = body.chars().next()?;
    body[c.len_utf8()..]
        .starts_with('\'')
        .then(|| c.len_utf8() + 2)
}

/// `code` without the items under `#[cfg(test)]`.
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at + "#[cfg(test)]".len()..];
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The modules a file's code names through `crate::` (`crate::a::b`,
/// `crate::{a, b::c}`, `$crate::a`).
fn named_modules(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let after = &code[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = 0;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        names.insert(ident(&group[start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(ident(&group[start..i]));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(ident(after));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

/// The graph of `(module, source)` pairs: an edge for each other module a
/// module's non-test code names.
fn graph<'a>(files: impl IntoIterator<Item = (String, &'a str)>) -> Graph {
    let files: Vec<(String, &str)> = files.into_iter().collect();
    let modules: BTreeSet<&str> = files.iter().map(|(m, _)| m.as_str()).collect();
    files
        .iter()
        .map(|(module, text)| {
            let mut deps = named_modules(&without_tests(&code_only(text)));
            deps.retain(|d| d != module && modules.contains(d.as_str()));
            (module.clone(), deps)
        })
        .collect()
}

/// Every cycle's edges, one cycle per strongly connected group of modules.
fn cycles(graph: &Graph) -> Vec<Vec<(String, String)>> {
    // A module is in a cycle with `m` when each reaches the other.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_owned()];
        while let Some(m) = todo.pop() {
            for d in graph.get(&m).into_iter().flatten() {
                if seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        seen
    };
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for start in graph.keys() {
        if done.contains(start) || !reach(start).contains(start) {
            continue;
        }
        // Walk from `start` back to itself through the shortest path.
        let mut prev: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        'walk: while let Some(m) = queue.pop_front() {
            for d in &graph[&m] {
                if d == start {
                    prev.insert(format!("{start}#end"), m.clone());
                    break 'walk;
                }
                if !prev.contains_key(d) {
                    prev.insert(d.clone(), m.clone());
                    queue.push_back(d.clone());
                }
            }
        }
        let mut edges = Vec::new();
        let mut to = start.clone();
        let mut from = prev[&format!("{start}#end")].clone();
        loop {
            edges.push((from.clone(), to.clone()));
            if &from == start {
                break;
            }
            to = from;
            from = prev[&to].clone();
        }
        edges.reverse();
        for (m, _) in &edges {
            done.insert(m.clone());
        }
        for m in graph.keys() {
            if reach(start).contains(m) && reach(m).contains(start) {
                done.insert(m.clone());
            }
        }
        found.push(edges);
    }
    found
}

fn src_graph() -> Graph {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            files.push((module, std::fs::read_to_string(&path).unwrap()));
        }
    }
    graph(files.iter().map(|(m, t)| (m.clone(), t.as_str())))
}

fn describe(cycle: &[(String, String)]) -> String {
    cycle
        .iter()
        .map(|(a, b)| format!("src/{a}.rs uses crate::{b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn the_modules_of_src_form_layers_without_a_cycle() {
    let graph = src_graph();
    assert!(
        graph["app"].contains("read") && graph["read"].contains("sink"),
        "the graph misses plain `use crate::` lines: {graph:?}"
    );
    let found = cycles(&graph);
    assert!(
        found.is_empty(),
        "import cycles in src/ (move the item that makes the upward edge down to \
         where it belongs):\n{}",
        found
            .iter()
            .map(|c| describe(c))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn a_cycle_is_found_and_named_by_its_edges_and_test_code_is_left_out() {
    let a = "//! Doc naming [`crate::c`].\nuse crate::{b::{X, Y}, self};\n\
             fn f() { let s = \"crate::c\"; let c = '{'; }\n\
             #[cfg(test)]\nmod tests { use crate::c; fn g() { crate::c::h() } }\n";
    let b = "pub fn g() -> u8 { crate::c::h() }\n#[cfg(test)]\nuse crate::a;\n";
    let c = "/* crate::b */ pub fn h() { $crate::a::f() }\n";
    let graph = graph([("a".into(), a), ("b".into(), b), ("c".into(), c)]);
    let edges: Vec<(&str, &str)> = graph
        .iter()
        .flat_map(|(m, deps)| deps.iter().map(move |d| (m.as_str(), d.as_str())))
        .collect();
    assert_eq!(edges, [("a", "b"), ("b", "c"), ("c", "a")]);
    assert_eq!(
        describe(&cycles(&graph)[0]),
        "src/a.rs uses crate::b, src/b.rs uses crate::c, src/c.rs uses crate::a"
    );
    let layered = self::graph([("a".into(), a), ("b".into(), "fn g() {}")]);
    assert!(cycles(&layered).is_empty(), "{layered:?}");
}

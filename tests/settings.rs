//! Configuration and file discovery on real directory trees.

use std::fs;
use std::path::{Path, PathBuf};

use arraylint::discover::{discover, Candidate, DiscoverError};
use arraylint::registry::{Rule, RuleSet};
use arraylint::settings::{CliOverrides, Resolver, SettingsError};

/// A temporary tree; a name ending in `/` is an empty directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if name.ends_with('/') {
            fs::create_dir_all(&path).expect("mkdir");
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).expect("write");
    }
    dir
}

fn resolver_in(cwd: &Path, overrides: &CliOverrides) -> Resolver {
    Resolver::new(overrides, cwd).unwrap_or_else(|e| panic!("settings error: {e}"))
}

fn rules(resolver: &Resolver, path: &Path) -> RuleSet {
    resolver
        .rules_for(path)
        .unwrap_or_else(|e| panic!("settings error: {e}"))
}

fn codes(set: RuleSet) -> Vec<&'static str> {
    set.iter().map(Rule::code).collect()
}

fn rule(code: &str) -> Rule {
    Rule::from_code(code).unwrap_or_else(|| panic!("no rule {code}"))
}

/// The discovered files, relative to `root`, in order.
fn found(root: &Path, paths: &[&str], overrides: &CliOverrides) -> Vec<String> {
    let resolver = resolver_in(root, overrides);
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let candidates = discover(&paths, &resolver).unwrap_or_else(|e| panic!("discover: {e}"));
    candidates
        .iter()
        .map(|candidate| match candidate {
            Candidate::File(path) => relative(path, root),
            Candidate::Error { path, message } => {
                format!("error {}: {message}", relative(path, root))
            }
            Candidate::Missing(path) => format!("missing {}", relative(path, root)),
            Candidate::Unchecked { path, reason } => {
                format!("unchecked {}: {reason}", relative(path, root))
            }
        })
        .collect()
}

fn relative(path: &Path, root: &Path) -> String {
    assert!(path.is_absolute(), "{}", path.display());
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

fn settings_error(cwd: &Path, overrides: &CliOverrides) -> SettingsError {
    match Resolver::new(overrides, cwd) {
        Ok(_) => panic!("expected a settings error"),
        Err(error) => error,
    }
}

#[test]
fn default_selection_is_all_rules() {
    let dir = tree(&[("a.py", "")]);
    let resolver = resolver_in(dir.path(), &CliOverrides::default());
    assert_eq!(rules(&resolver, &dir.path().join("a.py")), RuleSet::all());
    assert_eq!(resolver.config_file_for(&dir.path().join("a.py")), None);
}

#[test]
fn closest_config_wins() {
    let dir = tree(&[
        ("pyproject.toml", "[tool.arraylint]\nselect = [\"AL1\"]\n"),
        ("sub/arraylint.toml", "select = [\"AL2\"]\n"),
        // A pyproject.toml without [tool.arraylint] is not a config: the root one applies.
        ("other/pyproject.toml", "[project]\nname = \"other\"\n"),
        // .arraylint.toml beats arraylint.toml and pyproject.toml in the same directory.
        ("both/.arraylint.toml", "select = [\"AL601\"]\n"),
        ("both/arraylint.toml", "select = [\"AL602\"]\n"),
        (
            "both/pyproject.toml",
            "[tool.arraylint]\nselect = [\"AL101\"]\n",
        ),
    ]);
    let root = dir.path();
    // Run from a subdirectory: the working directory does not decide, the file does.
    let resolver = resolver_in(&root.join("sub"), &CliOverrides::default());
    let top = rules(&resolver, &root.join("a.py"));
    assert!(top.contains(rule("AL101")) && !top.contains(rule("AL201")));
    let sub = rules(&resolver, &root.join("sub/deep/er/b.py"));
    assert!(sub.contains(rule("AL201")) && !sub.contains(rule("AL101")));
    let other = rules(&resolver, &root.join("other/c.py"));
    assert_eq!(other, top);
    assert_eq!(codes(rules(&resolver, &root.join("both/d.py"))), ["AL601"]);
    // Relative paths are taken from the working directory.
    assert_eq!(rules(&resolver, Path::new("deep/b.py")), sub);

    assert_eq!(
        resolver.config_file_for(&root.join("sub/deep/b.py")),
        Some(root.join("sub/arraylint.toml"))
    );
    assert_eq!(
        resolver.config_file_for(&root.join("other/c.py")),
        Some(root.join("pyproject.toml"))
    );
}

#[test]
fn config_of_the_working_directory_covers_files_elsewhere() {
    let project = tree(&[("pyproject.toml", "[tool.arraylint]\nselect = [\"AL6\"]\n")]);
    let elsewhere = tree(&[("x.py", "")]);
    let resolver = resolver_in(project.path(), &CliOverrides::default());
    assert_eq!(
        codes(rules(&resolver, &elsewhere.path().join("x.py"))),
        ["AL601", "AL602"]
    );
}

#[test]
fn extend_inherits_and_the_child_overrides() {
    let dir = tree(&[
        (
            "base.toml",
            "select = [\"AL1\"]\nignore = [\"AL101\"]\nextend-exclude = [\"gen\"]\nrespect-gitignore = false\n",
        ),
        (
            "proj/pyproject.toml",
            "[tool.arraylint]\nextend = \"../base.toml\"\nextend-select = [\"AL601\"]\n",
        ),
        ("proj/a.py", ""),
        ("proj/gen/g.py", ""),
        ("proj/.gitignore", "ignored.py\n"),
        ("proj/ignored.py", ""),
    ]);
    let root = dir.path();
    let resolver = resolver_in(&root.join("proj"), &CliOverrides::default());
    let enabled = rules(&resolver, &root.join("proj/a.py"));
    assert!(enabled.contains(rule("AL102")));
    assert!(enabled.contains(rule("AL601")));
    assert!(!enabled.contains(rule("AL101")), "inherited ignore");
    assert!(!enabled.contains(rule("AL201")), "inherited select");
    // Inherited extend-exclude and respect-gitignore.
    assert_eq!(
        found(&root.join("proj"), &["."], &CliOverrides::default()),
        ["a.py", "ignored.py"]
    );
}

#[test]
fn extend_cycles_and_missing_targets_are_errors() {
    let dir = tree(&[
        ("a.toml", "extend = \"b.toml\"\n"),
        ("b.toml", "extend = \"./sub/../a.toml\"\n"),
        ("sub/", ""),
    ]);
    let overrides = CliOverrides {
        config: Some(dir.path().join("a.toml")),
        ..CliOverrides::default()
    };
    let error = settings_error(dir.path(), &overrides);
    assert!(
        matches!(error, SettingsError::ExtendCycle { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("cycle"), "{message}");
    assert!(message.contains("a.toml -> "), "{message}");

    let dir = tree(&[(
        "arraylint.toml",
        "select = []\n\nextend = \"nope/base.toml\"\n",
    )]);
    let message = settings_error(dir.path(), &CliOverrides::default()).to_string();
    assert!(message.contains("nope/base.toml"), "{message}");
    assert!(
        message.contains(&format!(
            "{}:3",
            dir.path().join("arraylint.toml").display()
        )),
        "{message}"
    );
}

#[test]
fn per_file_ignores_are_relative_to_the_config() {
    let dir = tree(&[(
        "pkg/pyproject.toml",
        r#"
[tool.arraylint.per-file-ignores]
"tests/*" = ["AL1"]
"__init__.py" = ["ALL"]
"!src/**" = ["AL601"]
"#,
    )]);
    let root = dir.path();
    let resolver = resolver_in(root, &CliOverrides::default());
    let test_file = rules(&resolver, &root.join("pkg/tests/unit/test_a.py"));
    assert!(!test_file.contains(rule("AL101")));
    assert!(!test_file.contains(rule("AL601")), "negated pattern");
    assert!(test_file.contains(rule("AL201")));
    // `tests/*` is rooted at pkg/, so pkg/src/tests/ is not covered.
    let src_test = rules(&resolver, &root.join("pkg/src/tests/b.py"));
    assert!(src_test.contains(rule("AL101")) && src_test.contains(rule("AL601")));
    assert!(rules(&resolver, &root.join("pkg/src/deep/__init__.py")).is_empty());
}

#[test]
fn selector_specificity_and_cli_precedence() {
    let dir = tree(&[(
        "arraylint.toml",
        "select = [\"AL101\"]\nignore = [\"AL1\"]\nextend-select = [\"AL2\"]\n",
    )]);
    let root = dir.path();
    let file = root.join("x.py");
    // In the file: AL101 (exact) beats the AL1 ignore; AL2 added.
    let enabled = rules(&resolver_in(root, &CliOverrides::default()), &file);
    assert!(enabled.contains(rule("AL101")));
    assert!(!enabled.contains(rule("AL102")));
    assert!(enabled.contains(rule("AL201")));

    // The command line is a later level: its ignore removes even the exact select.
    let cli = CliOverrides {
        ignore: vec!["AL".into()],
        extend_select: vec!["AL601".into()],
        ..CliOverrides::default()
    };
    assert_eq!(codes(rules(&resolver_in(root, &cli), &file)), ["AL601"]);

    // --select replaces everything the file selected.
    let cli = CliOverrides {
        select: Some(vec!["AL10".into()]),
        ignore: vec!["AL105".into()],
        ..CliOverrides::default()
    };
    let enabled = rules(&resolver_in(root, &cli), &file);
    assert!(enabled.contains(rule("AL102")) && !enabled.contains(rule("AL105")));
    assert!(!enabled.contains(rule("AL201")));
}

#[test]
fn unknown_key_error_names_key_and_file() {
    let dir = tree(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.arraylint]\nselect = [\"AL1\"]\nignores = [\"AL101\"]\n",
    )]);
    let message = settings_error(dir.path(), &CliOverrides::default()).to_string();
    let file = dir.path().join("pyproject.toml");
    assert!(
        message.starts_with(&format!("{}:6: unknown key `ignores`", file.display())),
        "{message}"
    );
    assert!(message.contains("[tool.arraylint]"), "{message}");
    assert!(message.contains("did you mean `ignore`"), "{message}");
}

#[test]
fn bad_values_name_key_and_file() {
    let dir = tree(&[("arraylint.toml", "select = [\"AL1\", \"AL999\"]\n")]);
    let message = settings_error(dir.path(), &CliOverrides::default()).to_string();
    let file = dir.path().join("arraylint.toml");
    assert!(
        message.starts_with(&format!("{}:1:", file.display())),
        "{message}"
    );
    assert!(message.contains("`select`"), "{message}");
    assert!(message.contains("`AL999`"), "{message}");

    let dir = tree(&[("arraylint.toml", "\nexclude = \"build\"\n")]);
    let message = settings_error(dir.path(), &CliOverrides::default()).to_string();
    assert!(message.contains("arraylint.toml:2:"), "{message}");
    assert!(message.contains("`exclude`"), "{message}");
    assert!(message.contains("a list of strings"), "{message}");
}

#[test]
fn invalid_toml_names_file_and_line() {
    let dir = tree(&[(
        "pyproject.toml",
        "[tool.arraylint]\nselect = [\"AL1\"]\nignore = [\"AL101\"\n[tool.other]\n",
    )]);
    let error = settings_error(dir.path(), &CliOverrides::default());
    match &error {
        SettingsError::InvalidToml { path, line, .. } => {
            assert_eq!(path, &dir.path().join("pyproject.toml"));
            assert_eq!(*line, 4);
        }
        other => panic!("{other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains("pyproject.toml:4:"), "{message}");
    assert!(message.contains("invalid TOML"), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");
}

#[test]
fn invalid_config_met_during_the_walk_stops_discovery() {
    let dir = tree(&[
        ("a.py", ""),
        ("sub/arraylint.toml", "select = 3\n"),
        ("sub/b.py", ""),
    ]);
    let resolver = resolver_in(dir.path(), &CliOverrides::default());
    match discover(&[PathBuf::from(".")], &resolver) {
        Err(DiscoverError::Settings(error)) => {
            assert!(
                error.to_string().contains("sub/arraylint.toml:1"),
                "{error}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(resolver.rules_for(&dir.path().join("sub/b.py")).is_err());
}

#[test]
fn gitignore_respected_and_disabled() {
    let files = [
        (".gitignore", "ignored.py\nignored_dir/\n"),
        ("sub/.ignore", "also.py\n"),
        ("kept.py", ""),
        ("ignored.py", ""),
        ("ignored_dir/x.py", ""),
        ("sub/also.py", ""),
        ("sub/stub.pyi", ""),
        ("sub/notes.txt", ""),
    ];
    let dir = tree(&files);
    let root = dir.path();
    assert_eq!(
        found(root, &["."], &CliOverrides::default()),
        ["kept.py", "sub/stub.pyi"]
    );
    let no_gitignore = CliOverrides {
        respect_gitignore: Some(false),
        ..CliOverrides::default()
    };
    assert_eq!(
        found(root, &["."], &no_gitignore),
        [
            "ignored.py",
            "ignored_dir/x.py",
            "kept.py",
            "sub/also.py",
            "sub/stub.pyi"
        ]
    );
    // The config file can turn it off too, and the command line back on.
    fs::write(root.join("arraylint.toml"), "respect-gitignore = false\n").expect("write");
    assert_eq!(found(root, &["."], &CliOverrides::default()).len(), 5);
    let on = CliOverrides {
        respect_gitignore: Some(true),
        ..CliOverrides::default()
    };
    assert_eq!(found(root, &["."], &on), ["kept.py", "sub/stub.pyi"]);
}

#[test]
fn git_info_exclude_is_respected_in_a_repository() {
    let dir = tree(&[
        (".git/info/exclude", "secret.py\n"),
        ("secret.py", ""),
        ("open.py", ""),
    ]);
    assert_eq!(
        found(dir.path(), &["."], &CliOverrides::default()),
        ["open.py"]
    );
}

#[test]
fn default_excludes_and_hidden_directories() {
    let dir = tree(&[
        ("a.py", ""),
        (".venv/lib/x.py", ""),
        ("pkg/build/b.py", ""),
        ("pkg/node_modules/c.py", ""),
        ("pkg/__pypackages__/d.py", ""),
        (".hidden/e.py", ""),
        ("builder/f.py", ""),
        ("dist.py", ""),
    ]);
    assert_eq!(
        found(dir.path(), &["."], &CliOverrides::default()),
        [".hidden/e.py", "a.py", "builder/f.py", "dist.py"]
    );
}

#[test]
fn exclude_replaces_the_defaults_and_extend_exclude_adds() {
    let dir = tree(&[
        ("a.py", ""),
        ("build/b.py", ""),
        ("gen/c.py", ""),
        ("pkg/gen/d.py", ""),
        ("pkg/x_pb2.py", ""),
        ("sub/arraylint.toml", "extend-exclude = [\"skip\"]\n"),
        ("sub/skip/e.py", ""),
        ("skip/f.py", ""),
    ]);
    let root = dir.path();
    let exclude = CliOverrides {
        exclude: Some(vec!["gen".into()]),
        ..CliOverrides::default()
    };
    assert_eq!(
        found(root, &["."], &exclude),
        ["a.py", "build/b.py", "pkg/x_pb2.py", "skip/f.py"]
    );
    let extend = CliOverrides {
        extend_exclude: vec!["*_pb2.py".into(), "pkg/gen".into()],
        ..CliOverrides::default()
    };
    // `pkg/gen` is rooted at the working directory; the nested config's `skip` only
    // applies below sub/.
    assert_eq!(
        found(root, &["."], &extend),
        ["a.py", "gen/c.py", "skip/f.py"]
    );
}

#[test]
fn explicit_files_are_checked_unless_force_exclude() {
    let dir = tree(&[
        (".gitignore", "ignored.py\n"),
        ("arraylint.toml", "extend-exclude = [\"gen\"]\n"),
        ("ignored.py", ""),
        ("gen/g.py", ""),
        ("build/b.py", ""),
        ("script", ""),
        ("ok.py", ""),
    ]);
    let root = dir.path();
    let named = ["ignored.py", "gen/g.py", "build/b.py", "script", "./ok.py"];
    assert_eq!(
        found(root, &named, &CliOverrides::default()),
        ["build/b.py", "gen/g.py", "ignored.py", "ok.py", "script"]
    );
    let force = CliOverrides {
        force_exclude: true,
        ..CliOverrides::default()
    };
    // Excluded by name or by an excluded ancestor; gitignore does not apply to named files.
    assert_eq!(
        found(root, &named, &force),
        ["ignored.py", "ok.py", "script"]
    );
    // A named directory that is excluded is skipped too.
    assert!(found(root, &["build"], &force).is_empty());
    assert_eq!(
        found(root, &["build"], &CliOverrides::default()),
        ["build/b.py"]
    );

    let resolver = resolver_in(root, &force);
    assert!(resolver.force_exclude());
    assert!(resolver.is_excluded(Path::new("gen/new.py")));
    assert!(resolver.is_excluded(&root.join("build/deep/x.py")));
    assert!(!resolver.is_excluded(Path::new("src/new.py")));
}

#[test]
fn excludes_are_rooted_at_the_project() {
    // The project itself lives in a directory named `build`: that must not exclude it.
    let dir = tree(&[("build/proj/arraylint.toml", ""), ("build/proj/a.py", "")]);
    let project = dir.path().join("build/proj");
    let force = CliOverrides {
        force_exclude: true,
        ..CliOverrides::default()
    };
    let resolver = resolver_in(&project, &force);
    assert!(!resolver.is_excluded(&project.join("a.py")));
    assert_eq!(found(&project, &["a.py"], &force), ["a.py"]);
    assert_eq!(found(&project, &["."], &force), ["a.py"]);
}

#[test]
fn missing_path_is_handed_on_and_the_others_are_walked() {
    let dir = tree(&[("a.py", "")]);
    let root = dir.path().canonicalize().expect("canonical");
    let resolver = resolver_in(&root, &CliOverrides::default());
    let paths = [PathBuf::from("a.py"), PathBuf::from("nope/b.py")];
    let candidates = discover(&paths, &resolver).expect("a missing path does not stop the walk");
    assert_eq!(
        candidates,
        [
            Candidate::File(root.join("a.py")),
            Candidate::Missing(root.join("nope/b.py")),
        ]
    );
}

#[test]
fn results_are_sorted_and_unique() {
    let dir = tree(&[("b.py", ""), ("a/z.py", ""), ("a/b/c.py", ""), ("c.py", "")]);
    assert_eq!(
        found(
            dir.path(),
            &["c.py", ".", "a", "./b.py"],
            &CliOverrides::default()
        ),
        ["a/b/c.py", "a/z.py", "b.py", "c.py"]
    );
}

#[cfg(unix)]
#[test]
fn links_to_files_are_checked_and_broken_links_reported() {
    let dir = tree(&[("real/target.py", ""), ("src/", "")]);
    let root = dir.path();
    std::os::unix::fs::symlink(root.join("real/target.py"), root.join("src/link.py"))
        .expect("symlink");
    std::os::unix::fs::symlink(root.join("real/gone.py"), root.join("src/broken.py"))
        .expect("symlink");
    // A link to a directory is not followed.
    std::os::unix::fs::symlink(root.join("real"), root.join("src/dir_link")).expect("symlink");
    let files = found(root, &["src"], &CliOverrides::default());
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(
        files[0].starts_with("error src/broken.py: broken symbolic link"),
        "{files:?}"
    );
    assert_eq!(files[1], "src/link.py");
}

#[test]
fn config_flag_forces_one_file_and_isolated_ignores_all() {
    let dir = tree(&[
        ("pyproject.toml", "[tool.arraylint]\nselect = [\"AL1\"]\n"),
        ("sub/arraylint.toml", "select = [\"AL2\"]\n"),
        (
            "shared/lint.toml",
            "select = [\"AL6\"]\nextend-exclude = [\"vendored\"]\n",
        ),
        ("sub/vendored/v.py", ""),
        ("shared/vendored/w.py", ""),
    ]);
    let root = dir.path();
    let config = CliOverrides {
        config: Some(PathBuf::from("shared/lint.toml")),
        ..CliOverrides::default()
    };
    let resolver = resolver_in(root, &config);
    for file in ["a.py", "sub/b.py"] {
        assert_eq!(
            codes(rules(&resolver, &root.join(file))),
            ["AL601", "AL602"]
        );
        assert_eq!(
            resolver.config_file_for(&root.join(file)),
            Some(root.join("shared/lint.toml"))
        );
    }
    // `vendored` matches by name anywhere, as the pattern has no slash.
    assert!(found(root, &["."], &config).is_empty());

    let isolated = CliOverrides {
        isolated: true,
        ..CliOverrides::default()
    };
    let resolver = resolver_in(root, &isolated);
    assert_eq!(rules(&resolver, &root.join("sub/b.py")), RuleSet::all());
    assert_eq!(resolver.config_file_for(&root.join("sub/b.py")), None);

    let missing = CliOverrides {
        config: Some(PathBuf::from("nope.toml")),
        ..CliOverrides::default()
    };
    let message = settings_error(root, &missing).to_string();
    assert!(message.contains("nope.toml"), "{message}");
}

#[test]
fn bad_cli_values_name_the_flag() {
    let dir = tree(&[]);
    let select = CliOverrides {
        select: Some(vec!["AL1".into(), "E501".into()]),
        ..CliOverrides::default()
    };
    let message = settings_error(dir.path(), &select).to_string();
    assert!(
        message.contains("--select") && message.contains("`E501`"),
        "{message}"
    );
    let exclude = CliOverrides {
        extend_exclude: vec!["a{".into()],
        ..CliOverrides::default()
    };
    let message = settings_error(dir.path(), &exclude).to_string();
    assert!(
        message.contains("--extend-exclude") && message.contains("a{"),
        "{message}"
    );
}

#[test]
fn a_named_project_below_an_excluded_name_is_not_excluded() {
    // Run from outside: the project's own config is where the upward check stops.
    let dir = tree(&[("build/proj/arraylint.toml", ""), ("build/proj/a.py", "")]);
    let force = CliOverrides {
        force_exclude: true,
        ..CliOverrides::default()
    };
    assert_eq!(
        found(dir.path(), &["build/proj"], &force),
        ["build/proj/a.py"]
    );
    assert!(found(dir.path(), &["build"], &force).is_empty());
    let resolver = resolver_in(dir.path(), &force);
    assert!(!resolver.is_excluded(&dir.path().join("build/proj/a.py")));
    assert!(resolver.is_excluded(&dir.path().join("build/other.py")));
}

#[test]
fn lookups_from_many_threads_agree_with_fresh_lookups() {
    // Configs at alternating depths, so cached ancestors must not leak between subtrees.
    let mut files: Vec<(String, String)> = vec![(
        "pyproject.toml".into(),
        "[tool.arraylint]\nselect = [\"AL1\"]\n".into(),
    )];
    for i in 0..12 {
        if i % 3 == 0 {
            files.push((
                format!("p{i}/arraylint.toml"),
                "select = [\"AL2\"]\n".into(),
            ));
        }
        if i % 4 == 0 {
            files.push((
                format!("p{i}/a/b/.arraylint.toml"),
                "select = [\"AL6\"]\n".into(),
            ));
        }
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let dir = tree(&borrowed);
    let root = dir.path();
    let mut queries: Vec<PathBuf> = Vec::new();
    for i in 0..12 {
        for sub in ["x.py", "a/x.py", "a/b/x.py", "a/b/c/d/x.py"] {
            queries.push(root.join(format!("p{i}/{sub}")));
        }
    }
    queries.push(root.join("top.py"));
    // Deepest first in one order, shallowest first in the other.
    queries.sort_by_key(|path| std::cmp::Reverse(path.components().count()));

    let shared = resolver_in(root, &CliOverrides::default());
    let answers: Vec<Vec<RuleSet>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (shared, queries) = (&shared, &queries);
                scope.spawn(move || {
                    let mut order: Vec<&PathBuf> = queries.iter().collect();
                    if t % 2 == 1 {
                        order.reverse();
                    }
                    let mut answers: Vec<(PathBuf, RuleSet)> = order
                        .into_iter()
                        .map(|path| (path.clone(), rules(shared, path)))
                        .collect();
                    answers.sort_by(|a, b| a.0.cmp(&b.0));
                    answers.into_iter().map(|(_, rules)| rules).collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("thread"))
            .collect()
    });
    let mut sorted = queries.clone();
    sorted.sort();
    let fresh: Vec<RuleSet> = sorted
        .iter()
        .map(|path| rules(&resolver_in(root, &CliOverrides::default()), path))
        .collect();
    for answer in &answers {
        assert_eq!(answer, &fresh);
    }
    // Spot checks of what the fresh answers are.
    let at = |path: &str| {
        fresh[sorted
            .iter()
            .position(|p| p == &root.join(path))
            .expect(path)]
    };
    assert_eq!(codes(at("p0/a/b/c/d/x.py")), ["AL601", "AL602"]);
    assert!(at("p0/a/x.py").contains(rule("AL201")));
    assert!(at("p1/a/b/x.py").contains(rule("AL101")));
    assert!(at("p4/a/b/x.py").contains(rule("AL601")));
    assert!(at("p4/x.py").contains(rule("AL101")));
}

#[test]
fn the_documented_example_is_a_valid_config() {
    let docs =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"))
            .expect("docs/configuration.md");
    let start = docs.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let example = &docs[start..start + docs[start..].find("```").expect("block end")];
    let dir = tree(&[("pyproject.toml", example)]);
    let resolver = resolver_in(dir.path(), &CliOverrides::default());
    let enabled = rules(&resolver, &dir.path().join("src/a.py"));
    assert!(enabled.contains(rule("AL101")) && enabled.contains(rule("AL201")));
    assert!(!enabled.contains(rule("AL104")));
    assert!(enabled.contains(rule("AL602")) && !enabled.contains(rule("AL601")));
    assert!(!rules(&resolver, &dir.path().join("tests/t.py")).contains(rule("AL602")));
    assert!(rules(&resolver, &dir.path().join("pkg/__init__.py")).is_empty());
    assert!(resolver.is_excluded(&dir.path().join("src/generated/x.py")));
    assert!(resolver.is_excluded(&dir.path().join("msg_pb2.py")));
}

const NUMPY2_PROJECT: &str = "[project]\nname = \"p\"\ndependencies = [\"numpy>=2,<3\"]\n";

#[test]
fn numpy2_projects_do_not_get_the_migration_rule() {
    let dir = tree(&[
        // The closest pyproject.toml decides, with or without [tool.arraylint].
        ("pyproject.toml", "[tool.arraylint]\nselect = [\"AL6\"]\n"),
        ("new/pyproject.toml", NUMPY2_PROJECT),
        ("new/pkg/deep/a.py", ""),
        (
            "old/pyproject.toml",
            "[project]\nname = \"o\"\ndependencies = [\"numpy>=1.24\"]\n",
        ),
        ("old/b.py", ""),
        // Optional dependencies and dependency groups count too.
        (
            "extra/pyproject.toml",
            "[project]\nname = \"e\"\n[project.optional-dependencies]\narray = [\"numpy~=2.1\"]\n",
        ),
        ("extra/c.py", ""),
        // An explicit target wins over what the dependencies say.
        (
            "pinned/pyproject.toml",
            "[project]\nname = \"q\"\ndependencies = [\"numpy>=2\"]\n\
             [tool.arraylint]\ntarget-numpy = \"1\"\n",
        ),
        ("pinned/d.py", ""),
        ("plain/e.py", ""),
    ]);
    let root = dir.path();
    let resolver = resolver_in(root, &CliOverrides::default());
    let al602 = rule("AL602");
    assert!(!rules(&resolver, &root.join("new/pkg/deep/a.py")).contains(al602));
    // The other rules the config selected still apply there.
    assert!(rules(&resolver, &root.join("new/pkg/deep/a.py")).contains(rule("AL601")));
    assert!(rules(&resolver, &root.join("old/b.py")).contains(al602));
    assert!(!rules(&resolver, &root.join("extra/c.py")).contains(al602));
    assert!(rules(&resolver, &root.join("pinned/d.py")).contains(al602));
    assert!(rules(&resolver, &root.join("plain/e.py")).contains(al602));

    // `--target-numpy 2` (or `target-numpy = "2"`) says it for every file.
    let cli = CliOverrides {
        target_numpy: Some("2".into()),
        ..CliOverrides::default()
    };
    let resolver = resolver_in(root, &cli);
    for file in ["old/b.py", "plain/e.py", "pinned/d.py"] {
        assert!(
            !rules(&resolver, &root.join(file)).contains(al602),
            "{file}"
        );
    }
    // `--isolated` reads no pyproject.toml, dependencies included.
    let isolated = CliOverrides {
        isolated: true,
        ..CliOverrides::default()
    };
    let resolver = resolver_in(root, &isolated);
    assert!(rules(&resolver, &root.join("new/pkg/deep/a.py")).contains(al602));
}

#[test]
fn target_numpy_is_validated() {
    let dir = tree(&[(
        "pyproject.toml",
        "[tool.arraylint]\nselect = [\"ALL\"]\ntarget-numpy = \"two\"\n",
    )]);
    let message = settings_error(dir.path(), &CliOverrides::default()).to_string();
    assert!(
        message.contains("target-numpy") && message.contains("`two`") && message.contains(":3"),
        "{message}"
    );
    let dir = tree(&[("arraylint.toml", "target-numpy = [2]\n")]);
    let message = settings_error(dir.path(), &CliOverrides::default()).to_string();
    assert!(message.contains("target-numpy"), "{message}");
    // An integer is taken as the major version.
    let dir = tree(&[("arraylint.toml", "target-numpy = 2\n"), ("a.py", "")]);
    let resolver = resolver_in(dir.path(), &CliOverrides::default());
    assert!(!rules(&resolver, &dir.path().join("a.py")).contains(rule("AL602")));
    let cli = CliOverrides {
        target_numpy: Some("numpy2".into()),
        ..CliOverrides::default()
    };
    let message = settings_error(dir.path(), &cli).to_string();
    assert!(message.contains("--target-numpy"), "{message}");
}

#[test]
fn check_honours_the_numpy2_requirement_and_the_flag() {
    let code = "import numpy as np\n\ndef f(x):\n    return np.array(x, copy=False)\n";
    let dir = tree(&[("pyproject.toml", NUMPY2_PROJECT), ("pkg/compat.py", code)]);
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_arraylint"))
            .current_dir(dir.path())
            .args(["check", "--output-format", "concise", "pkg"])
            .args(extra)
            .output()
            .expect("run arraylint")
    };
    let quiet = run(&[]);
    assert_eq!(quiet.status.code(), Some(0), "{quiet:?}");
    let numpy1 = run(&["--target-numpy", "1"]);
    assert_eq!(numpy1.status.code(), Some(1), "{numpy1:?}");
    assert!(String::from_utf8_lossy(&numpy1.stdout).contains("AL602"));
    let bad = run(&["--target-numpy", "latest"]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--target-numpy"));
}

//! `schemashift completions <shell>` and `schemashift help [<command>]`.

use assert_cmd::Command;
use std::process::Output;

fn run(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("schemashift").unwrap().current_dir(dir.path()).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The top-level subcommands, as the top-level help lists them.
fn subcommands() -> Vec<String> {
    let help = stdout(&run(&["--help"]));
    let listing = help.split("Commands:\n").nth(1).unwrap().split("\n\n").next().unwrap();
    listing.lines().map(|l| l.split_whitespace().next().unwrap().to_string()).collect()
}

#[test]
fn every_subcommand_is_listed_including_completions_and_help() {
    let names = subcommands();
    for name in ["diff", "generate", "inspect", "lint", "plan", "rules", "runbook", "completions", "help"] {
        assert!(names.iter().any(|n| n == name), "{name} missing from {names:?}");
    }
}

#[test]
fn bash_completion_defines_the_function_registers_it_and_completes_subcommands() {
    let out = run(&["completions", "bash"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let script = stdout(&out);
    assert!(script.contains("_schemashift()"), "{script}");
    for name in subcommands() {
        assert!(script.contains(&format!("schemashift,{name})")), "{name} not in the bash script");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schemashift.bash");
    std::fs::write(&path, &script).unwrap();
    let syntax = std::process::Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(syntax.status.success(), "bash -n: {}", stderr(&syntax));
    // Sourced into bash: registered for the command, and completing `schemashift d`
    // offers `diff` (the function reads COMP_WORDS as bash sets them on <Tab>).
    let probe = format!(
        "source '{}'\ncomplete -p schemashift\nCOMP_WORDS=(schemashift d); COMP_CWORD=1\n\
         _schemashift schemashift d schemashift\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let out = std::process::Command::new("bash").arg("--norc").arg("-c").arg(&probe).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("complete ") && text.contains("-F _schemashift schemashift"), "{text}");
    assert!(text.lines().any(|l| l == "diff"), "{text}");
    assert!(!text.lines().any(|l| l == "lint"), "only what starts with d: {text}");
}

#[test]
fn the_other_shells_get_scripts_that_name_the_subcommands() {
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(!script.trim().is_empty(), "{shell}");
        for name in ["diff", "generate", "lint", "completions"] {
            assert!(script.contains(name), "{shell}: {name} missing");
        }
    }
    assert!(stdout(&run(&["completions", "zsh"])).starts_with("#compdef schemashift"));
    assert!(stdout(&run(&["completions", "fish"])).contains("complete -c schemashift"));
}

#[test]
fn an_unknown_or_missing_shell_is_a_usage_error() {
    for args in [&["completions", "tcsh"][..], &["completions"]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(64), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(stderr(&run(&["completions", "tcsh"])).contains("bash"), "the message lists the shells");
}

#[test]
fn help_command_prints_what_command_help_prints() {
    for name in subcommands().iter().filter(|n| *n != "help") {
        let via_help = run(&["help", name]);
        let via_flag = run(&[name, "--help"]);
        assert_eq!(via_help.status.code(), Some(0), "help {name}: {}", stderr(&via_help));
        assert_eq!(via_flag.status.code(), Some(0));
        assert_eq!(stdout(&via_help), stdout(&via_flag), "help {name}");
        assert!(stdout(&via_help).contains(&format!("Usage: schemashift {name}")));
    }
}

#[test]
fn help_alone_is_the_top_level_help_and_an_unknown_command_is_a_usage_error() {
    let alone = run(&["help"]);
    assert_eq!(alone.status.code(), Some(0));
    assert_eq!(stdout(&alone), stdout(&run(&["--help"])));
    let out = run(&["help", "nosuch"]);
    assert_eq!(out.status.code(), Some(64));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("nosuch"), "{}", stderr(&out));
    // Flags of the command are not help's to take.
    assert_eq!(run(&["help", "diff", "--bogus"]).status.code(), Some(64));
}

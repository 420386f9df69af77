"""``destgen completion``: the bash script, run by a real bash, completes commands and each
command's options; zsh's loads it through bashcompinit; fish's lists every command and option.
"""

from __future__ import annotations

import subprocess

from destgen.cli.commands import COMMANDS
from tests.conftest import run_cli


def _complete(script: str, words: list[str]) -> list[str]:
    program = (
        f"{script}\nCOMP_WORDS=({' '.join(words)})\nCOMP_CWORD={len(words) - 1}\n"
        '_destgen\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", program],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_bash_completes_commands_and_their_options() -> None:
    script = run_cli("completion", "bash").stdout
    assert _complete(script, ["destgen", "pl"]) == ["plan"]
    assert set(_complete(script, ["destgen", ""])) == set(COMMANDS)
    assert "--prune" in _complete(script, ["destgen", "apply", "--pr"])
    assert _complete(script, ["destgen", "status", "--sin"]) == ["--since"]


def test_zsh_and_fish_scripts_cover_every_command() -> None:
    zsh = run_cli("completion", "zsh").stdout
    assert zsh.splitlines()[1] == "autoload -U +X bashcompinit && bashcompinit"
    fish = run_cli("completion", "fish").stdout
    for name in COMMANDS:
        assert f"-n __fish_use_subcommand -a {name} " in fish
    assert "-n '__fish_seen_subcommand_from apply' -l prune" in fish

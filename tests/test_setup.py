"""Set-up and start-up: the catalogue's C YAML loader matches the pure-Python one, the catalogue
is parsed once per process, commands import only what they use, the locks match the pins, and
scripts/setup.sh does nothing (and says nothing) when everything is already there."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from asn_dash import catalogue
from asn_dash.catalogue import CatalogueError, load_catalogue
from asn_dash.catalogue_files import DEFAULT_DIR, FILES, catalogue_digest

ROOT = Path(__file__).resolve().parent.parent


# --- the catalogue's YAML loader --------------------------------------------------------------

def _walk(node: yaml.Node):
    """Every node of a tree with what identifies it and where it stands in the file."""
    yield (type(node).__name__, node.tag, node.value if isinstance(node, yaml.ScalarNode) else None,
           node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(key)
            yield from _walk(value)


def test_the_c_loader_is_the_one_used():
    assert catalogue._LOADER is yaml.CSafeLoader, "PyYAML without libyaml: the catalogue parses ~9× slower"


@pytest.mark.parametrize("name", FILES)
def test_c_loader_gives_the_same_data_and_line_marks_as_the_python_loader(name):
    text = (DEFAULT_DIR / name).read_text(encoding="utf-8")
    c_node, c_data = catalogue.parse_yaml(text, yaml.CSafeLoader)
    py_node, py_data = catalogue.parse_yaml(text, yaml.SafeLoader)
    assert c_data == py_data == yaml.safe_load(text)
    c_nodes, py_nodes = list(_walk(c_node)), list(_walk(py_node))
    assert len(c_nodes) > 100
    assert c_nodes == py_nodes


def _message(folder: Path, loader: type, monkeypatch) -> str:
    monkeypatch.setattr(catalogue, "_LOADER", loader)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    return info.value.sv


@pytest.mark.parametrize("old, new", [
    # a YAML syntax error, a target rule that does not parse, a value that is not allowed
    ("{id: hushall_ekb, target: minska jämfört med 2024}", "{id: hushall_ekb, target: [minska}"),
    ("target: minska jämfört med 2024}", "target: minska lite}"),
    ("unit: procent, frequency: månad", "unit: procnet, frequency: månad"),
])
def test_error_messages_keep_their_line_numbers_with_either_loader(catalogue_copy, monkeypatch, old, new):
    for name in ("plans.yaml", "indicators.yaml"):
        path = catalogue_copy / name
        text = path.read_text(encoding="utf-8")
        if old in text:
            line = text[: text.index(old)].count("\n") + 1
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            break
    else:
        pytest.fail(f"{old!r} is in no catalogue file")
    c_message = _message(catalogue_copy, yaml.CSafeLoader, monkeypatch)
    py_message = _message(catalogue_copy, yaml.SafeLoader, monkeypatch)
    # libyaml words a syntax error its own way ("did not find expected ','"); all else is the same
    def shape(message: str) -> str:
        return re.sub(r"(YAML-syntax: ).*?(\. Rätta)", r"\1…\2", message)

    assert shape(c_message) == shape(py_message)
    numbers = [int(n) for n in re.findall(r", rad (\d+)", c_message)]
    assert numbers and line <= numbers[0] <= line + 2, c_message


# --- parsed once per process -------------------------------------------------------------------

def test_the_catalogue_is_parsed_once_per_version(catalogue_copy, monkeypatch):
    calls = []
    real = catalogue.parse_yaml
    monkeypatch.setattr(catalogue, "parse_yaml", lambda text, loader=None: calls.append(1) or real(text, loader))
    first = load_catalogue(catalogue_copy)
    assert len(calls) == 3
    assert load_catalogue(catalogue_copy) is first
    assert len(calls) == 3
    assert first.digest == catalogue_digest(catalogue_copy)

    path = catalogue_copy / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    second = load_catalogue(catalogue_copy)
    assert len(calls) == 6
    assert second is not first and second.digest != first.digest == catalogue_digest(DEFAULT_DIR)


def _run_python(code: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_opening_a_store_in_step_with_the_catalogue_parses_nothing(seeded_db):
    loaded = _run_python(
        "import sys; from asn_dash.store.setup import open_store; open_store(sys.argv[1]).close(); "
        "print(sorted(m for m in ('asn_dash.catalogue', 'pydantic', 'yaml') if m in sys.modules))",
        str(seeded_db))
    assert loaded == "[]"


def test_opening_a_store_after_a_catalogue_edit_resyncs_it(seeded_db, catalogue_copy):
    path = catalogue_copy / "units.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    code = ("import os, sys; os.environ['ASN_CATALOGUE'] = sys.argv[2]; "
            "from asn_dash.store.setup import open_store; s = open_store(sys.argv[1]); "
            "print(s.query(\"SELECT value FROM meta WHERE key = 'catalogue_digest'\").value[0]); s.close()")
    assert _run_python(code, str(seeded_db), str(catalogue_copy)) == catalogue_digest(catalogue_copy)


# --- the command line imports what a command needs -----------------------------------------------

HEAVY = ("pandas", "duckdb", "openpyxl", "plotly", "kaleido", "streamlit", "pydantic", "yaml", "pptx", "docx",
         "statsmodels", "requests")


def _imported_by(argv: list[str]) -> list[str]:
    code = ("import json, sys; from asn_dash.cli import main; "
            "rc = main(json.loads(sys.argv[1])); "
            f"print(json.dumps([rc] + [m for m in {HEAVY!r} if m in sys.modules]))")
    return json.loads(_run_python(code, json.dumps(argv)))


def test_help_imports_no_heavy_library():
    code = ("import sys; from asn_dash.cli import build_parser; build_parser().format_help(); "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    assert _run_python(code) == "[]"


def test_building_the_parser_imports_no_command_module():
    code = ("import sys; from asn_dash.cli import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.startswith('asn_dash')))")
    assert _run_python(code) == "['asn_dash', 'asn_dash.cli', 'asn_dash.errors']"


def test_bench_help_names_every_part(capsys):
    from asn_dash.bench import PARTS
    from asn_dash.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--help"])
    assert f"which parts (default: all): {', '.join(PARTS)}" in " ".join(capsys.readouterr().out.split())


def test_ingest_imports_only_what_it_uses(seeded_db, tmp_path):
    upload = tmp_path / "u.csv"
    upload.write_text("indikator;enhet;period;värde\nhushall_ekb;;2019-01;250\n", encoding="utf-8")
    rc, *loaded = _imported_by(["ingest", str(upload), "--db", str(seeded_db), "--dry-run"])
    assert rc == 0
    assert set(loaded) <= {"pandas", "duckdb"}, loaded


# --- the locked dependency trees ----------------------------------------------------------------

def _pins(path: Path) -> dict[str, str]:
    """name → version of every ``name==version`` line (markers and hashes aside)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", line)
        if m:
            name = re.sub(r"[-_.]+", "-", m.group(1).split("[")[0]).lower()
            pins.setdefault(name, m.group(2))
    return pins


@pytest.mark.parametrize("top, lock", [("requirements.txt", "requirements.lock"),
                                       ("requirements-dev.txt", "requirements-dev.lock")])
def test_locks_hold_the_top_level_pins_with_hashes(top, lock):
    text = (ROOT / lock).read_text(encoding="utf-8")
    requirements = [b for b in re.split(r"\n(?=\S)", text) if b and not b.startswith("#")]
    assert requirements and all("--hash=sha256:" in b for b in requirements), lock
    locked = _pins(ROOT / lock)
    wanted = _pins(ROOT / top) | (_pins(ROOT / "requirements.txt") if top != "requirements.txt" else {})
    stale = {n: (v, locked.get(n)) for n, v in wanted.items() if locked.get(n) != v}
    assert not stale, f"{lock} is out of date ((pin, locked)): {stale}; run bash scripts/lock.sh"


def test_the_test_lock_installs_the_apps_versions():
    app, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    assert {n: v for n, v in app.items() if dev.get(n) != v} == {}


# --- scripts/setup.sh ------------------------------------------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LIBERATION = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
needs_fonts = pytest.mark.skipif(not (DEJAVU.exists() and LIBERATION.exists()),
                                 reason="the DejaVu or Liberation fonts are not installed here "
                                        "(scripts/setup.sh would install them)")
APT = "apt-get -o DPkg::Lock::Timeout=1800"  # every apt-get waits for another apt/dpkg run
# what setup.sh runs besides the commands a test fakes
TOOLS = ("bash", "env", "sha256sum", "cut", "cat", "basename", "dirname", "rm", "grep")


class Machine:
    """A project copy with a small lock, a .venv whose pip only records its arguments, and a PATH
    of only the basic tools plus fakes: commands that are "installed" succeed, ``apt-get`` and
    ``sudo`` record their arguments (sudo then runs the rest), ``id -u`` says who we are."""

    def __init__(self, tmp_path: Path, *, installed=("chromium", "soffice"), uid=0, sudo=True,
                 libatomic=True):
        self.project, self.log, self.bin = tmp_path / "project", tmp_path / "calls.log", tmp_path / "bin"
        (self.project / "scripts").mkdir(parents=True)
        shutil.copy(ROOT / "scripts" / "setup.sh", self.project / "scripts" / "setup.sh")
        (self.project / "requirements.lock").write_text("# nothing to install\n")
        self.log.write_text("")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.project / ".venv")], check=True)
        purelib = Path(subprocess.run(
            [str(self.project / ".venv" / "bin" / "python"), "-c",
             "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True).stdout.strip())
        (purelib / "pip").mkdir()
        (purelib / "pip" / "__init__.py").write_text("")
        (purelib / "pip" / "__main__.py").write_text(
            f"import sys\nopen({str(self.log)!r}, 'a').write('pip ' + ' '.join(sys.argv[1:]) + '\\n')\n")
        driver = purelib / "playwright" / "driver" / "node"
        driver.parent.mkdir(parents=True)
        driver.write_text("#!/bin/sh\n")
        driver.chmod(0o755)
        self.bin.mkdir()
        self._script("ldd", "echo 'libatomic.so.1 => " + ("/lib/libatomic.so.1 (0x1)'" if libatomic else "not found'"))
        for tool in TOOLS:
            (self.bin / tool).symlink_to(shutil.which(tool))
        (self.bin / "python3").symlink_to(sys.executable)
        self._script("id", f"echo {uid}")
        self._script("apt-get", f'echo "apt-get $*" >> "{self.log}"')
        if sudo:
            self._script("sudo", f'echo "sudo $*" >> "{self.log}"; exec "$@"')
        for name in installed:
            self._script(name, "exit 0")

    def _script(self, name: str, body: str) -> None:
        (self.bin / name).write_text(f"#!/bin/bash\n{body}\n")
        (self.bin / name).chmod(0o755)

    def setup(self, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / "bash"), "scripts/setup.sh"], cwd=self.project, capture_output=True,
                              text=True, timeout=60, env={"PATH": str(self.bin), "HOME": str(self.project), **env})

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines()


@needs_fonts
def test_setup_is_silent_and_does_nothing_the_second_time(tmp_path):
    machine = Machine(tmp_path)
    first = machine.setup()
    assert first.returncode == 0, first.stderr
    assert "installing Python packages from requirements.lock" in first.stderr
    assert machine.calls() == ["pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock"]

    second = machine.setup()
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert len(machine.calls()) == 1  # no pip, no apt-get, no sudo

    (machine.project / "requirements.lock").write_text("# a changed lock is installed again\n")
    third = machine.setup()
    assert third.returncode == 0 and len(machine.calls()) == 2


@needs_fonts
def test_setup_installs_only_the_missing_debian_packages_as_root(tmp_path):
    machine = Machine(tmp_path, installed=("soffice",))
    result = machine.setup()
    assert result.returncode == 0, result.stderr
    assert machine.calls()[:2] == [f"{APT} update -qq", f"{APT} install -y -qq --no-install-recommends chromium"]


@needs_fonts
def test_setup_waits_for_another_apt_run_with_a_message(tmp_path):
    """apt's raw lock error is not a message for a person: while fuser says another apt/dpkg run
    holds the lock, setup says it waits, and installs once the lock is free."""
    machine = Machine(tmp_path, installed=("soffice",))
    count = tmp_path / "fuser-calls"
    machine._script("fuser", f'echo x >> "{count}"; [ "$(wc -l < "{count}")" -lt 3 ]')  # busy twice, then free
    (machine.bin / "wc").symlink_to(shutil.which("wc"))
    (machine.bin / "sleep").symlink_to(shutil.which("sleep"))
    result = machine.setup(ASN_APT_POLL_SECONDS="0.1")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("waiting for another apt/dpkg run to finish") == 1
    assert count.read_text().count("x") == 3
    assert machine.calls()[:2] == [f"{APT} update -qq", f"{APT} install -y -qq --no-install-recommends chromium"]


@needs_fonts
def test_setup_uses_sudo_when_not_root(tmp_path):
    machine = Machine(tmp_path, installed=(), uid=1000)
    assert machine.setup().returncode == 0
    install = f"{APT} install -y -qq --no-install-recommends chromium libreoffice-writer-nogui python3-uno"
    assert machine.calls()[:4] == [f"sudo {APT} update -qq", f"{APT} update -qq",
                                   f"sudo env DEBIAN_FRONTEND=noninteractive {install}", install]


def test_setup_explains_what_to_install_without_root_or_sudo(tmp_path):
    machine = Machine(tmp_path, installed=(), uid=1000, sudo=False)
    result = machine.setup()
    assert result.returncode == 1
    assert "not root and sudo is missing" in result.stderr
    assert "apt-get install chromium libreoffice-writer-nogui python3-uno" in result.stderr
    assert machine.calls() == []  # nothing was tried, not even pip


@needs_fonts
def test_setup_adds_libatomic_when_playwrights_driver_lacks_it(tmp_path):
    """A fresh Debian has no libatomic.so.1, which Playwright's bundled node needs (found by
    scripts/fresh-machine-test.sh: every browser test failed to start its driver)."""
    lacking = Machine(tmp_path / "a", libatomic=False)
    assert lacking.setup().returncode == 0
    assert lacking.calls()[1:] == [f"{APT} update -qq", f"{APT} install -y -qq --no-install-recommends libatomic1"]
    having = Machine(tmp_path / "b")
    assert having.setup().returncode == 0
    assert len(having.calls()) == 1  # pip only

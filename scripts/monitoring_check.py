#!/usr/bin/env python3
"""Offline checks of deploy/monitoring that promtool and amtool do not make (Python 3 standard
library only; scripts/monitoring-check.sh runs it and the Prometheus tools).

    monitoring_check.py static --exprs-out FILE
        the dashboards' structure; every metric, label and label value named by a dashboard or
        a rule is in deploy/monitoring/metrics.md (names with a colon: made by a recording
        rule); every alert has a `promtool test rules` case firing (with each of its
        severities) and one not firing; the Kubernetes copies of the rules and dashboards are
        up to date and the PodMonitor selects every service. Writes every dashboard query as a
        recording rule to FILE, for `promtool check rules`.
    monitoring_check.py exported FILE
        every metric the dashboards and rules use is in FILE (metric names as scraped from the
        running services' /metrics, one a line): what the smoke test calls.
    monitoring_check.py write-k8s
        regenerates deploy/k8s/monitoring-dashboards.yaml and
        deploy/k8s/monitoring/prometheusrules.yaml from the dashboards and rules.

Exit status 1 with the problems listed when a check fails.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MON = ROOT / "deploy" / "monitoring"
RULES_DIR = MON / "prometheus" / "rules"
TESTS_DIR = MON / "prometheus" / "tests"
DASH_DIR = MON / "grafana" / "dashboards"
CATALOGUE = MON / "metrics.md"
K8S = ROOT / "deploy" / "k8s"
K8S_DASHBOARDS = K8S / "monitoring-dashboards.yaml"
K8S_RULES = K8S / "monitoring" / "prometheusrules.yaml"
K8S_PODMONITOR = K8S / "monitoring" / "podmonitor.yaml"
NAMESPACE = "swift-shop"

SERVICES = ["api-gateway", "auth", "user", "product", "order", "payment", "notification"]
# Series Prometheus makes itself: never on a service's /metrics.
PROMETHEUS_MADE = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds", "scrape_samples_scraped",
                   "scrape_samples_post_metric_relabeling", "scrape_series_added"}
# Labels every scraped series has, or that the scrape configurations add.
TARGET_LABELS = {"job", "instance"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# What a Grafana variable stands for when a query is checked.
GRAFANA_VARIABLES = {"__rate_interval": "5m", "__interval": "1m", "__range": "1d", "__range_s": "86400",
                     "__interval_ms": "60000", "__range_ms": "86400000"}

problems = []


def problem(text):
    problems.append(text)


def rel(path):
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# A reader for the block-style YAML subset these files are written in: mappings, sequences,
# plain and quoted scalars, literal and folded block scalars, flow sequences of scalars, `{}`,
# comments, `---` between documents. Scalars stay strings. Anything else raises ValueError.

class YamlSubset:
    def __init__(self, text, name):
        self.name = name
        self.lines = text.split("\n")

    def fail(self, i, why):
        raise ValueError(f"{self.name}:{i + 1}: {why} (scripts/monitoring_check.py reads a YAML subset)")

    @staticmethod
    def indent(line):
        return len(line) - len(line.lstrip(" "))

    def blank(self, i):
        s = self.lines[i].strip()
        return s == "" or s.startswith("#")

    def skip(self, i):
        while i < len(self.lines) and self.blank(i):
            i += 1
        return i

    def documents(self):
        docs, i = [], 0
        while True:
            i = self.skip(i)
            if i >= len(self.lines):
                return docs
            if self.lines[i].strip() == "---":
                i += 1
                continue
            value, i = self.node(i, self.indent(self.lines[i]))
            docs.append(value)
            i = self.skip(i)
            if i < len(self.lines) and self.lines[i].strip() not in ("---", ""):
                self.fail(i, "unexpected text after a document")

    def node(self, i, indent):
        line = self.lines[i]
        if line[indent:].startswith("- ") or line[indent:] == "-":
            return self.sequence(i, indent)
        return self.mapping(i, indent)

    def sequence(self, i, indent):
        items = []
        while True:
            i = self.skip(i)
            if i >= len(self.lines) or self.indent(self.lines[i]) != indent:
                break
            line = self.lines[i]
            if not (line[indent:].startswith("- ") or line[indent:] == "-"):
                break
            rest = line[indent + 2:] if len(line) > indent + 1 else ""
            if rest.strip() == "" or rest.strip().startswith("#"):
                j = self.skip(i + 1)
                if j < len(self.lines) and self.indent(self.lines[j]) > indent:
                    value, i = self.node(j, self.indent(self.lines[j]))
                else:
                    value, i = None, i + 1
            elif self.key_of(rest) is not None:
                # "- key: value" opens a mapping at the column after the dash.
                self.lines[i] = " " * (indent + 2) + rest
                value, i = self.mapping(i, indent + 2)
            else:
                value, i = self.scalar(rest, i), i + 1
            items.append(value)
        return items, i

    @staticmethod
    def key_of(text):
        m = re.match(r"""([A-Za-z0-9_./-]+|"[^"]*"|'[^']*'):(?:\s|$)""", text)
        if not m:
            return None
        key = m.group(1)
        return key[1:-1] if key[0] in "\"'" else key

    def mapping(self, i, indent):
        result = {}
        while True:
            i = self.skip(i)
            if i >= len(self.lines):
                break
            line = self.lines[i]
            ind = self.indent(line)
            if ind < indent:
                break
            if ind > indent:
                self.fail(i, "unexpected indentation")
            text = line[indent:]
            if text.startswith("- ") or text == "-" or text.strip() == "---":
                break
            key = self.key_of(text)
            if key is None:
                self.fail(i, "expected 'key: value'")
            rest = text[text.index(":", len(key)) + 1:].strip()
            if rest in ("|", "|-", "|+", ">", ">-", ">+"):
                value, i = self.block_scalar(i, ind, rest)
            elif rest == "" or rest.startswith("#"):
                j = self.skip(i + 1)
                if j < len(self.lines) and (self.indent(self.lines[j]) > ind or
                                            (self.indent(self.lines[j]) == ind and self.lines[j][ind:].startswith("- "))):
                    value, i = self.node(j, self.indent(self.lines[j]))
                else:
                    value, i = None, i + 1
            else:
                value, i = self.scalar(rest, i), i + 1
            if key in result:
                self.fail(i - 1, f"duplicate key {key}")
            result[key] = value
        return result, i

    def block_scalar(self, i, key_indent, style):
        body, j = [], i + 1
        content_indent = None
        while j < len(self.lines):
            line = self.lines[j]
            if line.strip() == "":
                body.append("")
                j += 1
                continue
            ind = self.indent(line)
            if ind <= key_indent:
                break
            if content_indent is None:
                content_indent = ind
            if ind < content_indent:
                self.fail(j, "block scalar line less indented than its first line")
            body.append(line[content_indent:])
            j += 1
        while body and body[-1] == "":
            body.pop()
        if style.startswith(">"):
            text = " ".join(body)
        else:
            text = "\n".join(body)
        if not style.endswith("-"):
            text += "\n"
        return text, j

    def scalar(self, text, i):
        text = text.strip()
        if text.startswith('"'):
            m = re.match(r'"((?:[^"\\]|\\.)*)"\s*(#.*)?$', text)
            if not m:
                self.fail(i, "bad double-quoted string")
            escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", "0": "\0"}
            return re.sub(r"\\(.)", lambda e: escapes.get(e.group(1), "\\" + e.group(1)), m.group(1))
        if text.startswith("'"):
            m = re.match(r"'((?:[^']|'')*)'\s*(#.*)?$", text)
            if not m:
                self.fail(i, "bad single-quoted string")
            return m.group(1).replace("''", "'")
        if text.startswith("["):
            m = re.match(r"\[(.*)\]\s*(#.*)?$", text)
            if not m:
                self.fail(i, "bad flow sequence")
            inner = m.group(1).strip()
            if not inner:
                return []
            parts = re.findall(r"""\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+)\s*(?:,|$)""", inner)
            return [self.scalar(p, i) for p in parts]
        if text.startswith("{"):
            if re.match(r"\{\s*\}\s*(#.*)?$", text):
                return {}
            self.fail(i, "flow mappings other than {} are not supported")
        if text.startswith(("&", "*", "!", "|", ">")):
            self.fail(i, "anchors, aliases, tags are not supported")
        return re.sub(r"\s+#.*$", "", text)


def load_yaml(path):
    docs = YamlSubset(Path(path).read_text(), rel(path)).documents()
    return docs


# ---------------------------------------------------------------------------------------------
# PromQL: the metric names and label matchers of an expression.

TOKEN = re.compile(r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<duration>(?:\d+(?:ms|[smhdwy]))+(?![A-Za-z0-9_:]))
  | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}\[\],@:])
""", re.X)
KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring",
            "group_left", "group_right", "start", "end"}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}


def unquote(token):
    if token[0] == "`":
        return token[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "'": "'", "\\": "\\"}
    return re.sub(r"\\(.)", lambda e: escapes.get(e.group(1), "\\" + e.group(1)), token[1:-1])


def tokenize(expr):
    tokens, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise ValueError(f"cannot read PromQL at {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup != "ws":
            tokens.append((m.lastgroup, m.group()))
    return tokens


def selectors(expr):
    """[(metric name or None, [(label, op, value)])] of every vector selector in expr."""
    tokens = tokenize(expr)
    found, i = [], 0

    def matchers(i):
        # tokens[i] is "{"; returns the matchers and the index after "}".
        result, i = [], i + 1
        while tokens[i][1] != "}":
            if tokens[i][1] == ",":
                i += 1
                continue
            if tokens[i][0] not in ("ident", "string") or tokens[i + 1][1] not in ("=", "!=", "=~", "!~") or tokens[i + 2][0] != "string":
                raise ValueError(f"cannot read the label matchers of {expr!r}")
            label = tokens[i][1] if tokens[i][0] == "ident" else unquote(tokens[i][1])
            result.append((label, tokens[i + 1][1], unquote(tokens[i + 2][1])))
            i += 3
        return result, i + 1

    while i < len(tokens):
        kind, text = tokens[i]
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if kind == "op" and text == "[":
            while tokens[i][1] != "]":
                i += 1
            i += 1
        elif kind == "ident" and text in LABEL_LIST_KEYWORDS and nxt == "(":
            while tokens[i][1] != ")":
                i += 1
            i += 1
        elif kind == "ident" and (nxt == "(" or nxt in ("by", "without")):
            i += 1  # a function or an aggregation (`sum by (job) (...)`)
        elif kind == "ident" and text not in KEYWORDS:
            if nxt == "{":
                m, i = matchers(i + 1)
            else:
                m, i = [], i + 1
            found.append((text, m))
        elif kind == "op" and text == "{":
            m, i = matchers(i)
            names = [v for (label, op, v) in m if label == "__name__" and op == "="]
            found.append((names[0] if names else None, [x for x in m if x[0] != "__name__"]))
        else:
            i += 1
    return found


def substitute_variables(expr, variables):
    def value(name):
        if name in GRAFANA_VARIABLES:
            return GRAFANA_VARIABLES[name]
        if name in variables:
            return variables[name]
        raise ValueError(f"unknown Grafana variable ${name}")
    expr = re.sub(r"\$\{(\w+)(?::\w+)?\}", lambda m: value(m.group(1)), expr)
    expr = re.sub(r"\[\[(\w+)(?::\w+)?\]\]", lambda m: value(m.group(1)), expr)
    return re.sub(r"\$(\w+)", lambda m: value(m.group(1)), expr)


# ---------------------------------------------------------------------------------------------
# The catalogue: deploy/monitoring/metrics.md's tables.

def split_top(text, sep=","):
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def read_catalogue():
    """{name: {"type", "labels": {label: set of values or None}, "jobs": set or None}}"""
    catalogue = {}
    for number, line in enumerate(CATALOGUE.read_text().splitlines(), 1):
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name = cells[0].strip("`")
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", name) or name == "name":
            continue
        if len(cells) < 5:
            problem(f"{rel(CATALOGUE)}:{number}: a metric row needs name | type | labels | services | meaning")
            continue
        labels = {}
        text = cells[2].replace("`", "")
        if text not in ("—", "-", ""):
            for item in split_top(text):
                m = re.fullmatch(r"([a-zA-Z_][a-zA-Z0-9_]*)(?:\s*\((.*)\))?", item)
                if not m:
                    problem(f"{rel(CATALOGUE)}:{number}: cannot read the label {item!r}")
                    continue
                labels[m.group(1)] = {v.strip() for v in m.group(2).split(",")} if m.group(2) else None
        jobs_text = cells[3].replace("`", "")
        jobs = None if jobs_text == "every" else {j.strip() for j in jobs_text.split(",")}
        if jobs and not jobs <= set(SERVICES):
            problem(f"{rel(CATALOGUE)}:{number}: unknown services {sorted(jobs - set(SERVICES))}")
        if name in catalogue:
            problem(f"{rel(CATALOGUE)}:{number}: {name} is listed twice")
        catalogue[name] = {"type": cells[1], "labels": labels, "jobs": jobs}
    if not catalogue:
        problem(f"{rel(CATALOGUE)}: no metric rows found")
    return catalogue


def base_name(name, catalogue):
    """The catalogue name a series name belongs to (x_bucket -> x for a histogram x)."""
    if name in catalogue:
        return name
    for suffix in HISTOGRAM_SUFFIXES:
        if name.endswith(suffix) and catalogue.get(name[: -len(suffix)], {}).get("type") == "histogram":
            return name[: -len(suffix)]
    return None


# ---------------------------------------------------------------------------------------------
# Reading the rules and the dashboards.

def rule_files():
    return sorted(RULES_DIR.glob("*.yml"))


def read_rules():
    """[(file, group, rule dict)]"""
    rules = []
    for path in rule_files():
        docs = load_yaml(path)
        if len(docs) != 1 or not isinstance(docs[0], dict) or not isinstance(docs[0].get("groups"), list):
            problem(f"{rel(path)}: expected one document with 'groups:'")
            continue
        for group in docs[0]["groups"]:
            for rule in group.get("rules") or []:
                rules.append((path, group.get("name"), rule))
    return rules


def walk_panels(panels):
    for panel in panels or []:
        yield panel
        yield from walk_panels(panel.get("panels"))


def read_dashboards():
    """[(file, dashboard dict)]"""
    result = []
    for path in sorted(DASH_DIR.glob("*.json")):
        try:
            result.append((path, json.loads(path.read_text())))
        except json.JSONDecodeError as error:
            problem(f"{rel(path)}: not JSON: {error}")
    if not result:
        problem(f"{rel(DASH_DIR)}: no dashboards")
    return result


def dashboard_variables(dashboard):
    values = {}
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("type") == "query":
            values[var["name"]] = var.get("allValue") or ".+"
        elif var.get("type") == "datasource":
            values[var["name"]] = "prometheus"
        elif var.get("type") in ("custom", "constant", "interval", "textbox"):
            current = var.get("current", {}).get("value") or var.get("query") or "x"
            values[var["name"]] = current if isinstance(current, str) else ".+"
    return values


def dashboard_queries(path, dashboard):
    """[(where, PromQL with the variables substituted)] of the panels and the variables."""
    queries = []
    variables = dashboard_variables(dashboard)
    for panel in walk_panels(dashboard.get("panels")):
        for target in panel.get("targets") or []:
            expr = target.get("expr")
            if expr:
                where = f"{rel(path)}: panel {panel.get('id')} '{panel.get('title')}' query {target.get('refId')}"
                queries.append((where, substitute_variables(expr, variables)))
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("type") != "query":
            continue
        query = var.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        m = re.fullmatch(r"\s*label_values\(\s*(.*?)\s*,\s*\w+\s*\)\s*", query or "")
        if m:
            query = m.group(1)
        where = f"{rel(path)}: variable {var.get('name')}"
        queries.append((where, substitute_variables(query, variables)))
    return queries


def check_dashboard_structure(path, dashboard, seen_uids):
    name = rel(path)
    for key in ("uid", "title", "panels", "schemaVersion", "templating"):
        if key not in dashboard:
            problem(f"{name}: no '{key}'")
    uid = dashboard.get("uid")
    if uid in seen_uids:
        problem(f"{name}: uid {uid} is also {seen_uids[uid]}'s")
    seen_uids[uid] = name
    if dashboard.get("id") is not None:
        problem(f"{name}: 'id' must be null (Grafana assigns it)")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    ds = variables.get("DS_PROMETHEUS")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problem(f"{name}: needs the datasource variable DS_PROMETHEUS (type datasource, query prometheus)")
    ids = set()
    for panel in walk_panels(dashboard.get("panels")):
        title = f"{name}: panel {panel.get('id')} '{panel.get('title')}'"
        if panel.get("id") in ids:
            problem(f"{title}: id used twice")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")) or grid.get("x", 0) + grid.get("w", 0) > 24:
            problem(f"{title}: bad gridPos {grid}")
        if panel.get("type") == "row":
            continue
        if not panel.get("title"):
            problem(f"{title}: no title")
        targets = panel.get("targets") or []
        if not targets:
            problem(f"{title}: no queries")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or None in refs:
            problem(f"{title}: refIds must be set and distinct, got {refs}")
        for source in [panel.get("datasource")] + [t.get("datasource") for t in targets]:
            if source != {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}:
                problem(f"{title}: datasource must be {{type: prometheus, uid: ${{DS_PROMETHEUS}}}}, got {source}")
                break


# ---------------------------------------------------------------------------------------------
# The checks.

def used_names(rules, dashboards):
    """({name: [where]}, {(name, label, op, value, where)}, names recorded by rules)"""
    uses, matchers, recorded = {}, [], set()
    exprs = []
    for path, group, rule in rules:
        if rule.get("record"):
            recorded.add(rule["record"])
        where = f"{rel(path)}: {group}/{rule.get('record') or rule.get('alert')}"
        exprs.append((where, rule.get("expr") or ""))
    for path, dashboard in dashboards:
        exprs.extend(dashboard_queries(path, dashboard))
    for where, expr in exprs:
        try:
            found = selectors(expr)
        except (ValueError, IndexError) as error:
            problem(f"{where}: {error}")
            continue
        for name, ms in found:
            if name is None:
                problem(f"{where}: a selector without a metric name")
                continue
            uses.setdefault(name, []).append(where)
            for label, op, value in ms:
                matchers.append((name, label, op, value, where))
    return uses, matchers, recorded


def check_against_catalogue(uses, matchers, recorded, catalogue):
    checked = set()
    for name, wheres in sorted(uses.items()):
        if name in PROMETHEUS_MADE:
            continue
        if ":" in name:
            if name not in recorded:
                problem(f"{wheres[0]}: {name} looks recorded (it has a colon) but no rule records it")
            continue
        base = base_name(name, catalogue)
        if base is None:
            problem(f"{wheres[0]}: metric {name} is not in {rel(CATALOGUE)}")
        checked.add(base or name)
    for name, label, op, value, where in matchers:
        base = base_name(name, catalogue)
        if base is None:
            continue
        entry = catalogue[base]
        known = dict(entry["labels"])
        for target in TARGET_LABELS:
            if target in known:  # the service's own label of that name is kept as exported_<name>
                known["exported_" + target] = known.pop(target)
        if name.endswith("_bucket") and base != name:
            known["le"] = None
        if label not in known and label not in TARGET_LABELS:
            problem(f"{where}: {name} has no label {label} (labels: {', '.join(sorted(known)) or 'none'} and {', '.join(sorted(TARGET_LABELS))})")
            continue
        if label == "job":
            allowed = entry["jobs"] or set(SERVICES)
        else:
            allowed = known.get(label)
        if not allowed:
            continue
        if op in ("=", "!="):
            literals = [value]
        elif re.fullmatch(r"[A-Za-z0-9_:-]+(\|[A-Za-z0-9_:-]+)*", value):
            literals = value.split("|")
        else:
            continue
        for literal in literals:
            if literal not in allowed:
                problem(f"{where}: {name}{{{label}{op}\"{value}\"}}: {literal!r} is not a value of {label} (the catalogue has {', '.join(sorted(allowed))})")
    return len(checked)


def check_tests(rules):
    """Every alert: a test where it fires with each of its severities, and one where it does not."""
    severities = {}
    for _, _, rule in rules:
        if rule.get("alert"):
            severities.setdefault(rule["alert"], set()).add((rule.get("labels") or {}).get("severity"))
    fired, quiet = {}, set()
    for path in sorted(TESTS_DIR.glob("*.yml")):
        docs = load_yaml(path)
        for test in (docs[0] if docs else {}).get("tests") or []:
            for case in test.get("alert_rule_test") or []:
                name = case.get("alertname")
                expected = case.get("exp_alerts") or []
                if not expected:
                    quiet.add(name)
                for alert in expected:
                    fired.setdefault(name, set()).add(((alert or {}).get("exp_labels") or {}).get("severity"))
    for name, wanted in sorted(severities.items()):
        for severity in sorted(wanted - fired.get(name, set()), key=str):
            problem(f"{rel(TESTS_DIR)}: no test where {name} fires with severity {severity}")
        if name not in quiet:
            problem(f"{rel(TESTS_DIR)}: no test where {name} does not fire (exp_alerts: [])")
    for name in sorted(set(fired) | quiet):
        if name not in severities:
            problem(f"{rel(TESTS_DIR)}: a test names the alert {name}, which no rule defines")
    return len(severities)


def write_exprs(path, dashboards):
    lines = ["# Every query of deploy/monitoring/grafana/dashboards as a recording rule, for",
             "# `promtool check rules` (written by scripts/monitoring_check.py).", "groups:"]
    count = 0
    for dash_path, dashboard in dashboards:
        lines += [f"  - name: {json.dumps(rel(dash_path))}", "    rules:"]
        for where, expr in dashboard_queries(dash_path, dashboard):
            count += 1
            lines += [f"      # {where}", f"      - record: dashboard_query_{count}", "        expr: |"]
            lines += ["          " + line for line in expr.strip("\n").split("\n")]
    Path(path).write_text("\n".join(lines) + "\n")
    return count


# ---------------------------------------------------------------------------------------------
# The Kubernetes copies.

GENERATED = "# Generated by `python3 scripts/monitoring_check.py write-k8s` from {src}: do not edit here."


def k8s_rules_text():
    docs = []
    for path in rule_files():
        body = path.read_text().rstrip("\n").split("\n")
        docs.append("\n".join([
            GENERATED.format(src=rel(path)),
            "# Needs the Prometheus Operator's CRDs (deploy/k8s/README.md, Monitoring).",
            "apiVersion: monitoring.coreos.com/v1",
            "kind: PrometheusRule",
            "metadata:",
            f"  name: swift-shop-{path.stem}",
            f"  namespace: {NAMESPACE}",
            "  labels:",
            "    app.kubernetes.io/part-of: swift-shop",
            "    app.kubernetes.io/component: monitoring",
            "spec:",
        ] + [("  " + line) if line else line for line in body]))
    return "\n---\n".join(docs) + "\n"


def k8s_dashboards_text():
    docs = []
    for path in sorted(DASH_DIR.glob("*.json")):
        body = path.read_text().rstrip("\n").split("\n")
        docs.append("\n".join([
            GENERATED.format(src=rel(path)),
            "# Grafana's dashboard sidecar loads ConfigMaps labelled grafana_dashboard: \"1\".",
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            f"  name: swift-shop-dashboard-{path.stem}",
            f"  namespace: {NAMESPACE}",
            "  labels:",
            "    app.kubernetes.io/part-of: swift-shop",
            "    app.kubernetes.io/component: monitoring",
            '    grafana_dashboard: "1"',
            "  annotations:",
            "    grafana_folder: swift-shop",
            "data:",
            f"  swift-shop-{path.stem}.json: |",
        ] + [("    " + line) if line else line for line in body]))
    return "\n---\n".join(docs) + "\n"


def k8s_outputs():
    return {K8S_RULES: k8s_rules_text(), K8S_DASHBOARDS: k8s_dashboards_text()}


def check_k8s():
    for path, text in k8s_outputs().items():
        if not path.exists() or path.read_text() != text:
            problem(f"{rel(path)} is not what {rel(RULES_DIR if path == K8S_RULES else DASH_DIR)} makes: run `python3 scripts/monitoring_check.py write-k8s`")
    # The PodMonitor must select every service's pods, on a port they have, with job = the service.
    docs = load_yaml(K8S_PODMONITOR)
    monitor = docs[0] if docs else {}
    spec = monitor.get("spec") or {}
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    job_label = spec.get("jobLabel")
    ports = [e.get("port") for e in spec.get("podMetricsEndpoints") or []]
    if monitor.get("kind") != "PodMonitor" or not selector or not job_label or not ports:
        problem(f"{rel(K8S_PODMONITOR)}: expected a PodMonitor with selector.matchLabels, jobLabel and podMetricsEndpoints[].port")
        return 0
    selected = set()
    for path in sorted(K8S.glob("*.yaml")):
        for doc in load_yaml(path):
            if not isinstance(doc, dict) or doc.get("kind") != "Deployment":
                continue
            name = doc["metadata"]["name"]
            template = doc["spec"]["template"]
            labels = template["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in selector.items()):
                continue
            selected.add(name)
            if labels.get(job_label) != name:
                problem(f"{rel(path)}: pod label {job_label} of {name} is {labels.get(job_label)!r}: the PodMonitor takes job from it, the rules and dashboards want {name!r}")
            names = {p.get("name") for c in template["spec"]["containers"] for p in c.get("ports") or []}
            for port in ports:
                if port not in names:
                    problem(f"{rel(path)}: {name} has no container port named {port} (the PodMonitor scrapes it)")
    for service in SERVICES:
        if service not in selected:
            problem(f"{rel(K8S_PODMONITOR)}: does not select the pods of {service}")
    return len(selected)


# ---------------------------------------------------------------------------------------------

def main(argv):
    if len(argv) == 3 and argv[1] == "static" and argv[2].startswith("--exprs-out="):
        out = argv[2].split("=", 1)[1]
    elif len(argv) == 2 and argv[1] == "write-k8s":
        for path, text in k8s_outputs().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {rel(path)}")
        return 0
    elif len(argv) == 3 and argv[1] == "exported":
        out = None
    else:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        rules = read_rules()
        dashboards = read_dashboards()
        uses, matchers, recorded = used_names(rules, dashboards)
        catalogue = read_catalogue()
        if out is not None:
            seen = {}
            panels = 0
            for path, dashboard in dashboards:
                check_dashboard_structure(path, dashboard, seen)
                panels += sum(1 for p in walk_panels(dashboard.get("panels")) if p.get("type") != "row")
            checked = check_against_catalogue(uses, matchers, recorded, catalogue)
            alerts = check_tests(rules)
            queries = write_exprs(out, dashboards)
            deployments = check_k8s()
            print(f"{len(dashboards)} dashboards, {panels} panels, {queries} queries (written for promtool); "
                  f"{len(rules)} rules; {checked} service metrics and {len(matchers)} label matchers checked against {rel(CATALOGUE)} "
                  f"({len(catalogue)} metrics); {alerts} alerts covered by tests; Kubernetes copies current, "
                  f"PodMonitor selects {deployments} Deployments")
        else:
            exported_path = Path(argv[2])
            exported = set()
            for line in exported_path.read_text().splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    exported.add(re.split(r"[{\s]", line, maxsplit=1)[0])
            stripped = set()
            for name in exported:
                stripped.add(name)
                for suffix in HISTOGRAM_SUFFIXES:
                    if name.endswith(suffix):
                        stripped.add(name[: -len(suffix)])
            missing = []
            wanted = sorted(n for n in uses if n not in PROMETHEUS_MADE and n not in recorded)
            for name in wanted:
                if name in exported:
                    continue
                base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
                if base and base in stripped:
                    continue
                missing.append(name)
            for name in missing:
                problem(f"{name} is used by {uses[name][0]}{' and more' if len(uses[name]) > 1 else ''}, but no service exports it")
            print(f"{len(wanted)} metric names used by the dashboards and rules, {len(exported)} exported names in {exported_path}: {len(missing)} missing")
    except (ValueError, KeyError, TypeError, OSError) as error:
        problem(str(error))
    for text in problems:
        print(f"  {text}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""A gate run as JUnit XML, the report format every CI shows (Jenkins', GitLab's and GitHub's test
reports read it); written with the standard library's ElementTree."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from analysis.governance.results import GateResult


def junit_xml(result: GateResult) -> str:
    """One ``testsuite`` named after the contract, one ``testcase`` per check: a failed check is a
    ``failure``, one that could not run an ``error``; the message gives figure, threshold and detail."""
    suite = ET.Element(
        "testsuite",
        name=f"strata check: {result.contract}",
        tests=str(len(result.checks)),
        failures=str(len(result.failed)),
        errors=str(len(result.errors)),
    )
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", classname=f"strata.{result.version}", name=check.check)
        message = f"{check.shown_figure} (threshold {check.threshold})" + (
            f": {check.detail}" if check.detail else ""
        )
        if check.passed is False:
            ET.SubElement(case, "failure", message=message, type="threshold")
        elif check.passed is None:
            ET.SubElement(case, "error", message=check.detail, type="could not run")
        else:
            ET.SubElement(case, "system-out").text = message
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

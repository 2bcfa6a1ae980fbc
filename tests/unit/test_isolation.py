"""Tools never share the lab's project or ports: the tests and the bench have their own."""

from streamlab.config import load_settings
from streamlab.isolation import LAB_PROJECT, PORT_SETTINGS, TOOLS


def test_tool_projects_have_their_own_names_and_ports():
    lab = load_settings(environ={})
    lab_ports = {lab[key] for key in PORT_SETTINGS}
    seen = set(lab_ports)
    for tool in TOOLS:
        env = tool.environment(lab)
        assert env["COMPOSE_PROJECT_NAME"] not in (LAB_PROJECT, lab["COMPOSE_PROJECT_NAME"])
        ports = {env[key] for key in PORT_SETTINGS}
        assert len(ports) == len(PORT_SETTINGS), f"{tool.name} reuses a port: {ports}"
        assert not ports & seen, f"{tool.name} shares ports with the lab or another tool"
        assert all(1024 <= int(port) < 32768 for port in ports), (
            f"{tool.name}: a port in Linux's ephemeral range (from 32768) can be held by an "
            f"outgoing connection when compose publishes it: {sorted(ports)}"
        )
        seen |= ports

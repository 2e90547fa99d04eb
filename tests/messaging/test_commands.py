import pytest
from django.core.management import CommandError, call_command

from tests.messaging.conftest import graph_message, mock_graph_messages

pytestmark = pytest.mark.django_db


def test_import_emails_for_a_channel_prints_progress_and_summary(graph_mock, graph_folder, capsys):
    mock_graph_messages(graph_mock, [graph_message(1), graph_message(2)])
    call_command("import_emails", "--channel", str(graph_folder.channel_id))
    out = capsys.readouterr().out
    assert "[1/1]" in out and "2 new message(s)" in out
    assert "Imported 2 message(s) from 1 channel(s); 0 folder(s) failed." in out


def test_import_emails_for_a_customer_reports_failures(graph_mock, graph_folder, capsys):
    graph_mock.get(url__regex=r".*/messages/delta.*").respond(401, json={"error": {"message": "Unauthorized"}})
    call_command("import_emails", "--customer", str(graph_folder.customer_id))
    captured = capsys.readouterr()
    assert "failed at delta" in captured.err and "1 folder(s) failed" in captured.out


def test_import_emails_needs_a_target(customer):
    with pytest.raises(CommandError):
        call_command("import_emails", "--customer", str(customer.pk))
    with pytest.raises(CommandError):
        call_command("import_emails", "--channel", "999999")

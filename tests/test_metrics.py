"""/metrics (havana/metrics.py): who may read it, and that it counts what operators need to see."""
import re

import requests
import websocket
from prometheus_client.parser import text_string_to_metric_families

from conftest import ai_reply, wait_until
from tcp_proxy import TcpProxy
from test_student_events import new_chat, send

TOKEN = "metrics-token-for-tests-0123456789"


def scrape(server, token=TOKEN):
    response = requests.get(server.url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 200, response.text[:300]
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_metrics_need_the_bearer_token_or_a_signed_in_advisor(start_server, mysql_url):
    server = start_server(database_url=mysql_url, METRICS_TOKEN=TOKEN)
    assert requests.get(server.url + "/metrics").status_code == 401
    assert requests.get(server.url + "/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert requests.get(server.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert server.sign_in().get(server.url + "/metrics").status_code == 200


def test_metrics_count_replies_escalations_the_queue_rate_limits_and_closed_connections(start_server, connect,
                                                                                          mysql_url):
    server = start_server(database_url=mysql_url, METRICS_TOKEN=TOKEN, RATE_MESSAGES_PER_CHAT="3/minute")
    student = connect(server.url)
    chat_id, _ = new_chat(student)
    asked = send(student, chat_id, "What is the tuition for graduate students?")
    ai_reply(student, chat_id, asked["message"]["id"])
    send(student, chat_id, "I want to talk to a human")
    student.wait_for("escalation_triggered")
    send(student, chat_id, "hello?")
    assert send(student, chat_id, "hello??")["error"]["code"] == "rate_limited"
    raw = websocket.create_connection(server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket")
    raw.recv()
    raw.send("40")
    raw.send_binary(b"\x00binary")

    def counted():
        samples = scrape(server)
        return (value(samples, "havana_replies_total", provider="local") >= 1
                and value(samples, "havana_connections_closed_total", reason="binary") == 1) and samples

    samples = wait_until(counted) or counted()
    assert value(samples, "havana_reply_seconds_count", provider="local") >= 1
    assert value(samples, "havana_escalations_total") == 1
    assert value(samples, "havana_queue_length") == 1
    assert value(samples, "havana_rate_limited_total", limit="student_message") == 1
    raw.close()


def test_metrics_count_the_database_being_unreachable(start_server, connect, mysql_url):
    from sqlalchemy.engine import make_url
    url = make_url(mysql_url)
    proxy = TcpProxy(url.host, url.port)
    try:
        server = start_server(database_url=url.set(port=proxy.port).render_as_string(hide_password=False),
                              METRICS_TOKEN=TOKEN)
        student = connect(server.url)
        chat_id, _ = new_chat(student)
        proxy.cut()
        assert send(student, chat_id, "are you there?")["error"]["code"] == "unavailable"
        proxy.restore()
        assert value(scrape(server), "havana_database_unavailable_total", where="socket") == 1
    finally:
        proxy.close()


def test_with_a_multiprocess_directory_any_process_reports_the_sum(start_server, connect, mysql_url, tmp_path):
    shared = dict(database_url=mysql_url, METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=tmp_path)
    first, second = start_server(**shared), start_server(**shared)
    for server in (first, second):
        student = connect(server.url)
        chat_id, _ = new_chat(student)
        asked = send(student, chat_id, "When is the application deadline?")
        ai_reply(student, chat_id, asked["message"]["id"])
    wait_until(lambda: value(scrape(first), "havana_replies_total", provider="local") == 2)
    assert value(scrape(second), "havana_replies_total", provider="local") == 2
    assert re.search(r"havana_queue_length \d", requests.get(
        first.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text)

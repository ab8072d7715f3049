"""protocol/session.py driven without a socket: the OCPP-J call/answer state machine of either end."""
from __future__ import annotations

import orjson
import pytest

from ocpp_cs.protocol import Call, CallError, CallResult
from ocpp_cs.protocol.actions import CENTRAL_SYSTEM, STATION
from ocpp_cs.protocol.session import (
    AnswerReceived,
    CallReceived,
    CallRefused,
    FrameRefused,
    Replayed,
    SendReceived,
    Session,
    UnexpectedAnswer,
)


def frame(*parts) -> str:
    return orjson.dumps(list(parts)).decode()


def test_our_call_and_its_result_match_by_unique_id():
    s = Session(CENTRAL_SYSTEM, "1.6")
    assert orjson.loads(s.call("c1", "Reset", {"type": "Soft"})) == [2, "c1", "Reset", {"type": "Soft"}]
    assert dict(s.pending) == {"c1": "Reset"}
    event = s.receive(frame(3, "c1", {"status": "Accepted"}))
    assert event == AnswerReceived(CallResult("c1", {"status": "Accepted"}), "Reset")
    assert dict(s.pending) == {}
    # the same answer again: nothing awaits it any more
    assert s.receive(frame(3, "c1", {"status": "Accepted"})) == \
        UnexpectedAnswer(CallResult("c1", {"status": "Accepted"}))


def test_call_error_answer_is_matched_with_its_action():
    s = Session(STATION, "2.0.1")
    s.call("9", "BootNotification", {})
    event = s.receive(frame(4, "9", "FormatViolation", "bad", {"x": 1}))
    assert event == AnswerReceived(CallError("9", "FormatViolation", "bad", {"x": 1}),
                                   "BootNotification")


def test_call_result_error_of_2_1_is_an_answer():
    s = Session(CENTRAL_SYSTEM, "2.1")
    s.call("u", "GetVariables", {})
    event = s.receive(frame(5, "u", "InternalError", "could not", {}))
    assert isinstance(event, AnswerReceived) and event.action == "GetVariables"
    assert isinstance(event.answer, CallError)


def test_an_answer_to_no_call_of_ours():
    s = Session(CENTRAL_SYSTEM, "1.6")
    assert s.receive(frame(3, "nobody", {})) == UnexpectedAnswer(CallResult("nobody", {}))


def test_forget_and_close_drop_pending_calls():
    s = Session(CENTRAL_SYSTEM, "1.6")
    s.call("a", "Reset", {"type": "Hard"})
    s.call("b", "ClearCache", {})
    with pytest.raises(ValueError):
        s.call("a", "Reset", {"type": "Hard"})
    assert s.forget("a") == "Reset"
    assert s.forget("a") is None
    assert isinstance(s.receive(frame(3, "a", {})), UnexpectedAnswer)
    assert s.close() == ["b"]
    assert dict(s.pending) == {}


def test_incoming_call_then_result_and_replay():
    s = Session(CENTRAL_SYSTEM, "1.6")
    text = frame(2, "h1", "Heartbeat", {})
    event = s.receive(text)
    assert event == CallReceived(Call("h1", "Heartbeat", {}))
    reply = s.result(event.call, {"currentTime": "2026-01-01T00:00:00Z"},
                     '{"currentTime":"2026-01-01T00:00:00Z"}')
    assert reply.frame == '[3,"h1",{"currentTime":"2026-01-01T00:00:00Z"}]'
    assert reply.result == {"currentTime": "2026-01-01T00:00:00Z"}
    again = s.receive(text)
    assert again == Replayed(Call("h1", "Heartbeat", {}), reply)
    # same id, other action: not a repeat
    assert isinstance(s.receive(frame(2, "h1", "Authorize", {"idTag": "A"})), CallReceived)
    # another id: handled
    assert isinstance(s.receive(frame(2, "h2", "Heartbeat", {})), CallReceived)


def test_result_encodes_the_payload_when_no_json_is_given():
    s = Session(STATION, "1.6")
    event = s.receive(frame(2, "r", "Reset", {"type": "Soft"}))
    assert isinstance(event, CallReceived)
    assert orjson.loads(s.result(event.call, {"status": "Accepted"}).frame) == \
        [3, "r", {"status": "Accepted"}]


def test_only_the_last_call_is_replayed():
    s = Session(CENTRAL_SYSTEM, "1.6")
    first = s.receive(frame(2, "1", "Heartbeat", {}))
    s.result(first.call, {"currentTime": "x"})
    second = s.receive(frame(2, "2", "Heartbeat", {}))
    s.result(second.call, {"currentTime": "y"})
    assert isinstance(s.receive(frame(2, "1", "Heartbeat", {})), CallReceived)


def test_replay_off():
    s = Session(CENTRAL_SYSTEM, "1.6", replay=False)
    event = s.receive(frame(2, "h1", "Heartbeat", {}))
    s.result(event.call, {"currentTime": "x"})
    assert isinstance(s.receive(frame(2, "h1", "Heartbeat", {})), CallReceived)


def test_errors_are_remembered_unless_told_not_to():
    s = Session(CENTRAL_SYSTEM, "2.0.1")
    event = s.receive(frame(2, "e", "Heartbeat", {}))
    reply = s.error(event.call, "OccurenceConstraintViolation", "missing", {"field": "x"})
    assert orjson.loads(reply.frame) == [4, "e", "OccurrenceConstraintViolation", "missing",
                                         {"field": "x"}]
    assert reply.result == CallError("e", "OccurrenceConstraintViolation", "missing",
                                     {"field": "x"})
    assert s.receive(frame(2, "e", "Heartbeat", {})) == Replayed(event.call, reply)
    event = s.receive(frame(2, "f", "Heartbeat", {}))
    s.error(event.call, "InternalError", "internal error", remember=False)
    assert isinstance(s.receive(frame(2, "f", "Heartbeat", {})), CallReceived)


@pytest.mark.parametrize("version, action, code, description", [
    ("1.6", "Dance", "NotImplemented", "unknown action Dance"),
    ("1.6", "Reset", "NotSupported", "Reset is sent by a central system, not a station"),
    ("2.0.1", "RequestStartTransaction", "NotSupported",
     "RequestStartTransaction is sent by a central system, not a station"),
    ("2.1", "NotifyPeriodicEventStream", "ProtocolError",
     "NotifyPeriodicEventStream is sent as SEND [6, ...] and gets no reply"),
])
def test_central_system_refuses_calls_a_station_may_not_send(version, action, code, description):
    s = Session(CENTRAL_SYSTEM, version)
    event = s.receive(frame(2, "x", action, {}))
    assert isinstance(event, CallRefused)
    assert orjson.loads(event.reply.frame) == [4, "x", code, description, {}]
    # a refusal is a reply like any other: a repeat gets it again
    assert s.receive(frame(2, "x", action, {})) == Replayed(event.call, event.reply)


@pytest.mark.parametrize("version, action, code, description", [
    ("1.6", "Heartbeat", "NotSupported", "Heartbeat is sent by a station, not a central system"),
    ("2.0.1", "Dance", "NotImplemented", "unknown action Dance"),
])
def test_station_refuses_calls_a_central_system_may_not_send(version, action, code, description):
    event = Session(STATION, version).receive(frame(2, "x", action, {}))
    assert isinstance(event, CallRefused)
    assert orjson.loads(event.reply.frame) == [4, "x", code, description, {}]


@pytest.mark.parametrize("role", [CENTRAL_SYSTEM, STATION])
def test_data_transfer_goes_both_ways(role):
    assert isinstance(Session(role, "1.6").receive(frame(2, "d", "DataTransfer",
                                                         {"vendorId": "v"})), CallReceived)


def test_send_of_2_1():
    s = Session(CENTRAL_SYSTEM, "2.1")
    payload = {"id": 1, "pending": 0, "basetime": "2026-01-01T00:00:00Z", "data": []}
    event = s.receive(frame(6, "s1", "NotifyPeriodicEventStream", payload))
    assert event == SendReceived(Call("s1", "NotifyPeriodicEventStream", payload, reply=False))
    refused = s.receive(frame(6, "s2", "Heartbeat", {}))
    assert refused == SendReceived(Call("s2", "Heartbeat", {}, reply=False),
                                   CallError("s2", "NotSupported", "Heartbeat is not sent as SEND"))
    assert orjson.loads(Session(STATION, "2.1").send("s3", "NotifyPeriodicEventStream", payload)) \
        == [6, "s3", "NotifyPeriodicEventStream", payload]


def test_send_is_no_message_type_of_1_6():
    event = Session(CENTRAL_SYSTEM, "1.6").receive(frame(6, "s", "Heartbeat", {}))
    assert isinstance(event, FrameRefused)
    assert event.code == "FormationViolation"  # MessageTypeNotSupported as 1.6 spells it
    assert orjson.loads(event.frame) == [4, "s", "FormationViolation", event.description, {}]


@pytest.mark.parametrize("version, code", [("1.6", "FormationViolation"),
                                           ("2.0.1", "RpcFrameworkError")])
def test_framing_errors_are_answered_when_an_id_is_readable(version, code):
    s = Session(CENTRAL_SYSTEM, version)
    event = s.receive('[2, "abc", "Heartbeat", {]')
    assert isinstance(event, FrameRefused)
    assert (event.unique_id, event.code) == ("abc", code)
    assert event.description.startswith("frame is not valid JSON")
    assert orjson.loads(event.frame)[:3] == [4, "abc", code]
    assert event.excerpt == '[2, "abc", "Heartbeat", {]'


def test_a_frame_without_an_id_gets_no_answer():
    event = Session(CENTRAL_SYSTEM, "1.6").receive('{"not": "an array"}')
    assert isinstance(event, FrameRefused)
    assert event.unique_id is None and event.frame is None


def test_oversized_frame():
    s = Session(CENTRAL_SYSTEM, "2.0.1", max_frame_size=100)
    text = frame(2, "big", "Heartbeat", {"x": "y" * 2000})
    event = s.receive(text)
    assert isinstance(event, FrameRefused)
    assert event.code == "FormatViolation"
    assert event.description == f"frame of {len(text)} characters exceeds the limit of 100"
    assert event.unique_id == "big" and len(event.excerpt) == 1024


def test_depth_and_integral_floats_are_passed_to_the_decoder():
    s = Session(CENTRAL_SYSTEM, "1.6", max_depth=3, integral_floats=False)
    assert isinstance(s.receive('[2, "d", "DataTransfer", {"a": {"b": {"c": 1}}}]'), FrameRefused)
    assert isinstance(s.receive('[2.0, "f", "Heartbeat", {}]'), FrameRefused)


def test_unknown_role_or_version():
    with pytest.raises(ValueError):
        Session("bystander", "1.6")
    with pytest.raises(ValueError):
        Session(CENTRAL_SYSTEM, "3.0")

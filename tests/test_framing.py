"""OCPP-J framing, driven without a socket."""
import pytest

from ocpp_cs.protocol import framing as rpc


def test_call_is_decoded():
    assert rpc.decode('[2,"abc","Heartbeat",{}]') == rpc.Call("abc", "Heartbeat", {})


def test_callresult_and_callerror_are_decoded():
    assert rpc.decode('[3,"a",{"x":1}]') == rpc.CallResult("a", {"x": 1})
    assert rpc.decode('[4,"a","NotImplemented","no",{}]') == rpc.CallError("a", "NotImplemented", "no", {})


@pytest.mark.parametrize("frame, unique_id", [
    ('[2,"id1","Heartbeat"]', "id1"),                  # missing payload
    ('[2,"id2","Heartbeat",[]]', "id2"),               # payload not an object
    ('[2,"id3",7,{}]', "id3"),                          # action not a string
    ('[9,"id4","Heartbeat",{}]', "id4"),               # unknown message type
    ('[3,"id5"]', "id5"),                               # CALLRESULT without payload
    ('[4,"id6","X"]', "id6"),                           # short CALLERROR
    ('[2,"' + "x" * 37 + '","Heartbeat",{}]', "x" * 37),  # id too long
    ('[2, 17, "Heartbeat", {}]', "17"),                # id not a string: still answerable
    ('[2,"id7","Heartbeat",{}', "id7"),                # not JSON, id readable at the start
    ('{"a": 1}', None),                                 # not an array
    ('[]', None),
    ('nonsense', None),
])
def test_bad_frames_are_formation_violations_in_16(frame, unique_id):
    with pytest.raises(rpc.FramingError) as e:
        rpc.decode(frame, "1.6")
    assert rpc.error_name(e.value.code, "1.6") == "FormationViolation"
    assert e.value.unique_id == unique_id


@pytest.mark.parametrize("frame, code", [
    ('[2,"a","Heartbeat",{}', "RpcFrameworkError"),        # not JSON
    ('[2,"b","Heartbeat"]', "RpcFrameworkError"),          # not a valid CALL
    ('[2,"c","Heartbeat",[1]]', "FormatViolation"),        # payload not an object
    ('[7,"d","Heartbeat",{}]', "MessageTypeNotSupported"),
    ('[6,"e","NotifyPeriodicEventStream",{}]', "MessageTypeNotSupported"),  # SEND is 2.1's
])
def test_framing_errors_in_201(frame, code):
    with pytest.raises(rpc.FramingError) as e:
        rpc.decode(frame, "2.0.1")
    assert rpc.error_name(e.value.code, "2.0.1") == code


def test_21_send_and_callresulterror():
    send = rpc.decode('[6,"s1","NotifyPeriodicEventStream",{"id":1}]', "2.1")
    assert send == rpc.Call("s1", "NotifyPeriodicEventStream", {"id": 1}, reply=False)
    assert rpc.decode('[5,"r1","FormatViolation","bad",{}]', "2.1") == \
        rpc.CallError("r1", "FormatViolation", "bad", {})


def test_result_frame_splices_payload_text():
    assert rpc.encode_call_result("u", '{"a": 1}') == '[3,"u",{"a": 1}]'


def test_error_frame_shape():
    assert rpc.encode_call_error("u", "NotImplemented", "no such action") == \
        '[4,"u","NotImplemented","no such action",{}]'


def test_error_names_follow_the_version():
    assert rpc.error_name("FormationViolation", "1.6") == "FormationViolation"
    assert rpc.error_name("FormationViolation", "2.0.1") == "FormatViolation"
    assert rpc.error_name("OccurenceConstraintViolation", "2.0.1") == "OccurrenceConstraintViolation"

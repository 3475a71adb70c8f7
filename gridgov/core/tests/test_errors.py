"""The summary line of a refusal, as an API client reads it in `detail`."""

from django.utils import translation

from gridgov.core.errors import ValidationFailed


def test_a_refused_parameter_is_named_as_the_client_sent_it():
    assert ValidationFailed({"location": ["该位置不在本辖区任何网格内"]}).message == "输入有误：location 该位置不在本辖区任何网格内"


def test_a_refusal_of_the_whole_input_reads_without_a_field_name():
    assert ValidationFailed("请求体不是有效的 JSON").message == "输入有误：请求体不是有效的 JSON"
    assert ValidationFailed({"__all__": ["至少填写一项"]}).as_dict()["detail"] == "输入有误：至少填写一项"


def test_the_summary_follows_the_readers_language():
    with translation.override("en"):
        assert ValidationFailed({"__all__": ["x"]}).message == "Invalid input: x"

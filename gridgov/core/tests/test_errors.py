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


def test_a_nul_character_in_any_text_a_service_is_given_is_refused_by_field(world):
    """PostgreSQL cannot store NUL in text; the refusal names the field instead of a 500 from the database."""
    import pytest

    from gridgov.core.services import service

    @service
    def write(*, acting_user, data, note=""):
        raise AssertionError("never reached")

    with pytest.raises(ValidationFailed) as exc:
        write(acting_user=world.worker_a, data={"name": "张三", "tags": ["ok", "a\x00b"]})
    assert exc.value.errors == {"tags": ["不能包含空字符（\\0）"]}
    with pytest.raises(ValidationFailed) as exc:
        write(acting_user=world.worker_a, data={}, note="x\x00")
    assert list(exc.value.errors) == ["note"]


def test_a_body_labelled_multipart_without_a_boundary_gets_the_api_error_body(world):
    """The session's CSRF check reads the body before the view: the refusal must still be the API's JSON."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)
    client.cookies["csrftoken"] = "fuzz" * 8
    resp = client.post("/api/v1/party/courses", data=b"title=x", content_type="multipart/form-data",
                       HTTP_X_CSRFTOKEN="fuzz" * 8)
    assert (resp.status_code, list(resp.json()["errors"])) == (400, ["body"])

"""The SMS gateway hook: the outbox by default, a provider plugin when one is registered."""

from dataclasses import replace

from core.config import Settings
from core.hookspecs import hookimpl
from core.messaging import gateway, outbox


async def test_the_development_gateway_writes_codes_to_the_outbox(tmp_path):
    settings = replace(Settings.from_env(), var_dir=tmp_path)
    sms = gateway.sms_gateway(settings)
    result = await sms.send_code("13800000001", "123456", "login", "zh-Hans")
    assert result.accepted and result.provider == "outbox"
    [message] = outbox.read(tmp_path / "outbox" / "sms", to="13800000001")
    assert message["code"] == "123456" and message["purpose"] == "login"
    assert "123456" in message["text"] and "验证码" in message["text"]


class RecordingProvider:
    name = "recording"

    def __init__(self):
        self.sent = []

    async def send_code(self, phone, code, purpose, language):
        self.sent.append((phone, code, purpose))
        return gateway.DeliveryResult(accepted=True, provider=self.name, provider_message_id="r-1")

    async def send_notice(self, phone, text, language):
        return gateway.DeliveryResult(accepted=False, provider=self.name, error="no notices")


class ProviderPlugin:
    def __init__(self, provider):
        self.provider = provider

    @hookimpl
    def sms_gateway(self, settings):
        return self.provider


async def test_a_provider_plugin_takes_precedence_over_the_outbox(tmp_path):
    provider = RecordingProvider()
    manager = gateway.plugin_manager()
    plugin = ProviderPlugin(provider)
    manager.register(plugin, name="test-provider")
    try:
        settings = replace(Settings.from_env(), var_dir=tmp_path)
        sms = gateway.sms_gateway(settings)
        assert sms is provider
        await sms.send_code("13800000001", "654321", "register", "en")
        assert provider.sent == [("13800000001", "654321", "register")]
        assert outbox.read(tmp_path / "outbox" / "sms") == []
    finally:
        manager.unregister(plugin)
    assert gateway.sms_gateway(replace(Settings.from_env(), var_dir=tmp_path)).name == "outbox"

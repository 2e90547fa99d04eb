"""Channel routes the generic walker cannot prove tenancy for, and the tests that do."""

SPECIAL_ROUTES = {
    "/api/ChannelFolders/byChannel/{channelId}": (
        "tests/channels_cfg/test_channel_folders.py::test_by_channel_other_tenant_is_404"
    ),
    "/api/ChannelTranslations/byChannel/{channelId}": (
        "tests/channels_cfg/test_channel_translations.py::test_by_channel_other_tenant_is_404"
    ),
}

# Public and keyed by the channel's token, so the walker skips it; covered here:
PUBLIC_ROUTE_TESTS = {
    "/api/Channels/<uuid:channelToken>/translations-by-token/<str:lang>": (
        "tests/channels_cfg/test_channel_translations.py::TestTranslationsByToken (fallback chain, unknown/deleted 404)"
    ),
}

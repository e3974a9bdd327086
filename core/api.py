"""Base pieces every app's API builds on: strict input serializers and id fields."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers

# The largest id PostgreSQL's bigint (and SQLite's integer) holds: a larger one overflows the
# driver instead of simply matching nothing.
MAX_ID = 2**63 - 1


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object's id, which must be a JSON integer: Django would read 1.5 as 1, and
    1e309 or an id beyond 64 bits would overflow the driver."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a typo is a 400 rather than a silent no-op."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field; it cannot be set here."] for name in unknown}
                )
        return super().to_internal_value(data)

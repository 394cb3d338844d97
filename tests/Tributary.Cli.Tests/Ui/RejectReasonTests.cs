using Tributary.Cli.Web;

namespace Tributary.Cli.Tests.Ui;

/// <summary>Reasons as validation writes them (ValidationSqlBuilder) group by column and rule, without the value.</summary>
public sealed class RejectReasonTests
{
    [Theory]
    [InlineData("fare_amount: 'abc' is not a decimal", "fare_amount", "is not a decimal")]
    [InlineData("payment_type: 'it''s: x' is not one of card, cash", "payment_type", "is not one of card, cash")]
    [InlineData("pickup_zone: '<b>' does not match ^[A-Z][A-Za-z .'-]+$", "pickup_zone", "does not match ^[A-Z][A-Za-z .'-]+$")]
    [InlineData("passenger_count: 12 > max 9", "passenger_count", "> max 9")]
    [InlineData("trip_distance: -4.2 < min 0", "trip_distance", "< min 0")]
    [InlineData("pickup_at: required value is missing", "pickup_at", "required value is missing")]
    [InlineData("line is not a JSON object", RejectReason.NoColumn, "line is not a JSON object")]
    public void A_reason_splits_into_its_column_and_rule(string reason, string column, string rule) =>
        Assert.Equal((column, rule), RejectReason.Split(reason));

    [Theory]
    [InlineData("/ui/runs/taxi-1", "/ui/runs/taxi-1")]
    [InlineData("https://elsewhere.example/", "/ui")]
    [InlineData("//elsewhere.example/ui", "/ui")]
    [InlineData("/ui\\..\\x", "/ui")]
    [InlineData(null, "/ui")]
    public void After_sign_in_only_local_ui_paths_are_followed(string? next, string expected) =>
        Assert.Equal(expected, LoginPage.SafeNext(next));
}

using OvnAcl.Ovsdb;
using OvnAcl.OvsdbClient.Tests.Data;

namespace OvnAcl.OvsdbClient.Tests.Transactions;

public sealed class TransactionResultTests
{
    private const string U1 = "11111111-2222-4333-8444-555555555555";
    private const string U2 = "aaaaaaaa-2222-4333-8444-555555555555";

    /// <summary>insert ACL "acl0"; select ACL; delete ACL; comment.</summary>
    private static OvsdbTransaction FourOperations()
    {
        var tx = new OvsdbTransaction(OvsdbTransactionTests.Nb);
        tx.Insert("ACL", new Dictionary<string, OvsdbDatum>
        {
            ["priority"] = OvsdbDatum.FromInteger(1),
            ["direction"] = OvsdbDatum.FromString("to-lport"),
            ["match"] = OvsdbDatum.FromString("1"),
            ["action"] = OvsdbDatum.FromString("drop"),
        }, "acl0");
        tx.Select("ACL", [OvsdbCondition.Equal("match", "1")], ["_uuid", "priority", "severity"]);
        tx.Delete("ACL", [OvsdbCondition.Equal("match", "2")]);
        tx.Comment("x");
        return tx;
    }

    private static OvsdbTransactionResult Parse(OvsdbTransaction tx, string json) => OvsdbTransactionResult.Parse(tx, TestJson.Parse(json));

    [Fact]
    public void Success_decodes_each_result_with_the_schema()
    {
        var result = Parse(FourOperations(), $$"""
            [{"uuid":["uuid","{{U1}}"]},
             {"rows":[{"_uuid":["uuid","{{U1}}"],"priority":1,"severity":["set",[]]}]},
             {"count":2},
             {}]
            """);
        Assert.True(result.Succeeded);
        Assert.Equal(OvsdbTransactionStatus.Committed, result.Status);
        Assert.Null(result.Error);
        Assert.Equal(4, result.Operations.Count);
        Assert.Equal(new Guid(U1), result.Operations[0].Uuid);
        Assert.Equal(new Guid(U1), result.GetInsertedUuid("acl0"));
        var row = Assert.Single(result.Operations[1].Rows);
        Assert.Equal(OvsdbDatum.FromInteger(1), row["priority"]);
        Assert.Equal(OvsdbDatum.Empty, row["severity"]);
        Assert.Equal(2, result.Operations[2].Count);
        Assert.True(result.Operations[3].Succeeded);
        Assert.Throws<ArgumentException>(() => result.GetInsertedUuid("other"));
    }

    [Fact]
    public void An_operation_error_fails_the_transaction_and_later_operations_are_not_executed()
    {
        var result = Parse(FourOperations(), $$"""
            [{"uuid":["uuid","{{U1}}"]},
             {"error":"constraint violation","details":"no such thing"},
             null,
             null]
            """);
        Assert.False(result.Succeeded);
        Assert.Equal(OvsdbTransactionStatus.Failed, result.Status);
        Assert.Equal("constraint violation", result.Error!.Error);
        Assert.Equal("no such thing", result.Error.Details);
        Assert.Equal(1, result.Error.OperationIndex);
        Assert.Equal("transact", result.Error.Method);
        Assert.True(result.Operations[0].Succeeded);
        Assert.False(result.Operations[1].Succeeded);
        Assert.True(result.Operations[1].Executed);
        Assert.False(result.Operations[2].Executed);
        Assert.False(result.Operations[3].Executed);
        Assert.Throws<InvalidOperationException>(() => result.GetInsertedUuid("acl0"));
    }

    [Fact]
    public void A_commit_error_comes_after_the_last_operation()
    {
        var result = Parse(FourOperations(), $$"""
            [{"uuid":["uuid","{{U2}}"]},{"rows":[]},{"count":0},{},
             {"error":"referential integrity violation","details":"cannot delete ACL row"}]
            """);
        Assert.Equal(OvsdbTransactionStatus.Failed, result.Status);
        Assert.Equal("referential integrity violation", result.Error!.Error);
        Assert.Null(result.Error.OperationIndex);
        Assert.All(result.Operations, op => Assert.True(op.Succeeded));
    }

    [Fact]
    public void An_error_without_details()
    {
        var result = Parse(FourOperations(), """[{"error":"duplicate uuid"},null,null,null]""");
        Assert.Equal(0, result.Error!.OperationIndex);
        Assert.Null(result.Error.Details);
        Assert.Equal("transact (operation 0): duplicate uuid", result.Error.Message);
    }

    [Fact]
    public void The_outcome_can_be_unknown()
    {
        var cause = new OvsdbConnectionException("unix:/run/ovn/ovnnb_db.sock", "connection reset");
        var result = OvsdbTransactionResult.OutcomeUnknown(cause);
        Assert.Equal(OvsdbTransactionStatus.OutcomeUnknown, result.Status);
        Assert.False(result.Succeeded);
        Assert.Same(cause, result.OutcomeUnknownCause);
        Assert.Null(result.Error);
        Assert.Throws<InvalidOperationException>(() => result.GetInsertedUuid("acl0"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[1,{},{},{}]")]
    [InlineData("[{},{\"rows\":[]},{\"count\":0},{}]")]
    [InlineData("[{\"uuid\":[\"uuid\",\"" + U1 + "\"]},{},{\"count\":0},{}]")]
    [InlineData("[{\"uuid\":[\"uuid\",\"" + U1 + "\"]},{\"rows\":[]},{},{}]")]
    [InlineData("[{\"uuid\":[\"uuid\",\"" + U1 + "\"]},{\"rows\":[]},{\"count\":0},{},{},{}]")]
    [InlineData("[{\"uuid\":[\"uuid\",\"" + U1 + "\"]},{\"rows\":[]},{\"count\":0},{},{\"ok\":1}]")]
    [InlineData("[{\"uuid\":[\"uuid\",\"" + U1 + "\"]},{\"rows\":[]}]")]
    [InlineData("[{\"uuid\":[\"uuid\",\"" + U1 + "\"]},{\"rows\":[{\"bogus\":1}]},{\"count\":0},{}]")]
    public void Malformed_results_are_protocol_errors(string json) =>
        Assert.Throws<OvsdbProtocolException>(() => Parse(FourOperations(), json));
}

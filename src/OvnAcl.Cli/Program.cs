using OvnAcl.Cli;

return await CliCommands.InvokeAsync(args).ConfigureAwait(false);

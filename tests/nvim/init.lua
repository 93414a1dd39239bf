-- Headless Neovim session for tests/nvim/run.sh: attach arraylint through the snippet in
-- editors/neovim/, wait for the server's diagnostics on the opened buffer and write them,
-- one JSON object a line, to $ARRAYLINT_NVIM_OUT. Exits 0 on success, 1 otherwise.
local repo = os.getenv("ARRAYLINT_REPO")
local bin = os.getenv("ARRAYLINT_BIN")
local out = os.getenv("ARRAYLINT_NVIM_OUT")
local fixture = os.getenv("ARRAYLINT_NVIM_FIXTURE")

local function fail(message)
  io.stderr:write("nvim: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local expect_found = os.getenv("ARRAYLINT_NVIM_EXPECT_FOUND")

local arraylint = dofile(repo .. "/editors/neovim/arraylint.lua")
if expect_found then
  -- The snippet's own lookup (the Python environment first) must find this executable.
  arraylint.setup()
else
  arraylint.setup({ cmd = { bin, "server" } })
end

-- Startup turns filetype detection on only after the init file; the buffer is opened here.
vim.cmd("filetype on")
vim.cmd("edit " .. vim.fn.fnameescape(fixture))
local filetype = os.getenv("ARRAYLINT_NVIM_FILETYPE") or "python"
if vim.bo.filetype ~= filetype then
  fail("the fixture was detected as " .. vim.bo.filetype .. ", not " .. filetype)
  return
end
local bufnr = vim.api.nvim_get_current_buf()

local attached = vim.wait(20000, function()
  return #vim.lsp.buf_get_clients(bufnr) > 0
end, 50)
if not attached then
  fail("the arraylint client never attached to the buffer")
  return
end
if expect_found then
  -- Neovim 0.7 keys the clients by id.
  local _, started = next(vim.lsp.buf_get_clients(bufnr))
  if started.config.cmd[1] ~= expect_found then
    fail("started " .. tostring(started.config.cmd[1]) .. ", expected " .. expect_found)
    return
  end
end

local received = vim.wait(20000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 50)
if not received then
  fail("no diagnostics arrived within 20 s")
  return
end

local lines = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local lsp = (d.user_data and d.user_data.lsp) or {}
  table.insert(lines, vim.fn.json_encode({
    line = d.lnum + 1,
    col = d.col,
    end_line = d.end_lnum + 1,
    end_col = d.end_col,
    code = d.code or lsp.code,
    source = d.source,
    message = d.message,
  }))
end
vim.fn.writefile(lines, out)

-- Stop the client so that the server sees shutdown/exit before Neovim goes.
for _, client in ipairs(vim.lsp.get_active_clients()) do
  client.stop()
end
vim.wait(5000, function()
  return #vim.lsp.get_active_clients() == 0
end, 50)
vim.cmd("qall!")

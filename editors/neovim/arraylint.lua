-- arraylint for Neovim's built-in LSP client, written for Neovim 0.7 and later
-- (`vim.lsp.start_client` + `vim.lsp.buf_attach_client`).
--
-- On Neovim 0.11 and later the built-in form needs no file:
--   vim.lsp.config("arraylint", {
--     cmd = { "arraylint", "server" },
--     filetypes = { "python", "pyrex", "cython" },
--     root_markers = { "pyproject.toml", "arraylint.toml", ".arraylint.toml", ".git" },
--   })
--   vim.lsp.enable("arraylint")
--
-- Use: put this file on 'runtimepath' as lua/arraylint.lua (or `dofile` it) and call
--   require("arraylint").setup()            -- finds the executable, see M.find_executable
--   require("arraylint").setup({ path = "/path/to/arraylint" })    -- the last resort
--   require("arraylint").setup({ cmd = { "/path/to/arraylint", "server" } })  -- no lookup
local M = {}

local function executable(file)
  return file ~= nil and file ~= "" and vim.fn.executable(file) == 1
end

-- The executable, in the order of the VS Code extension: the Python environment's (the
-- active virtual environment, $VIRTUAL_ENV, else the project's `.venv`), else `arraylint`
-- on PATH, else `opts.path`. nil when none is found.
function M.find_executable(root, opts)
  opts = opts or {}
  local candidates = {}
  local venv = os.getenv("VIRTUAL_ENV")
  if venv ~= nil and venv ~= "" then
    table.insert(candidates, venv .. "/bin/arraylint")
  end
  table.insert(candidates, root .. "/.venv/bin/arraylint")
  for _, candidate in ipairs(candidates) do
    if executable(candidate) then
      return candidate
    end
  end
  local on_path = vim.fn.exepath("arraylint")
  if on_path ~= "" then
    return on_path
  end
  if executable(opts.path) then
    return opts.path
  end
  return nil
end

-- Files whose directory is taken as the project root (arraylint reads its settings from the
-- closest pyproject.toml / arraylint.toml itself; the root only names the workspace).
M.root_markers = { "pyproject.toml", "arraylint.toml", ".arraylint.toml", ".git" }

local function find_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local start = name ~= "" and vim.fn.fnamemodify(name, ":p:h") or vim.fn.getcwd()
  for _, marker in ipairs(M.root_markers) do
    -- findfile/finddir with ";" search upwards from `start` (Neovim 0.7 has no vim.fs).
    local file = vim.fn.findfile(marker, start .. ";")
    if file ~= "" then
      return vim.fn.fnamemodify(file, ":p:h")
    end
    local dir = vim.fn.finddir(marker, start .. ";")
    if dir ~= "" then
      -- ":p" of a directory ends in "/", so ":h" once only drops that slash.
      return vim.fn.fnamemodify(dir, ":p:h:h")
    end
  end
  return start
end

-- One client per root directory.
local clients = {}

function M.attach(bufnr, opts)
  opts = opts or {}
  local root = find_root(bufnr)
  local client_id = clients[root]
  if client_id == nil or vim.lsp.get_client_by_id(client_id) == nil then
    local cmd = opts.cmd
    if cmd == nil then
      local found = M.find_executable(root, opts)
      if found == nil then
        vim.notify(
          "arraylint: no arraylint executable in the Python environment or on PATH "
            .. "(pip install arraylint, or setup({ path = ... }))",
          vim.log.levels.ERROR
        )
        return nil
      end
      cmd = { found, "server" }
    end
    client_id = vim.lsp.start_client({
      name = "arraylint",
      cmd = cmd,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      on_attach = opts.on_attach,
      capabilities = opts.capabilities,
    })
    if client_id == nil then
      vim.notify("arraylint: could not start the language server", vim.log.levels.ERROR)
      return nil
    end
    clients[root] = client_id
  end
  vim.lsp.buf_attach_client(bufnr, client_id)
  return client_id
end

function M.setup(opts)
  local group = vim.api.nvim_create_augroup("arraylint", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    -- Neovim names `.pyx`/`.pxd`/`.pxi` files `pyrex`; Cython plugins name them `cython`.
    pattern = { "python", "pyrex", "cython" },
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
end

return M

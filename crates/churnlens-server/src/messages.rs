//! The server's catalogue of messages a person reads, in English and zh-CN:
//! API errors, and what `churnlens serve` / `churnlens user` print.

use churnlens_core::Lang;

use crate::accounts::MIN_PASSWORD_CHARS;

/// No valid session.
pub fn not_logged_in(lang: Lang) -> &'static str {
    lang.pick("Please log in.", "请先登录。")
}

/// Wrong user name or password.
pub fn bad_credentials(lang: Lang) -> &'static str {
    lang.pick("Wrong user name or password.", "用户名或密码错误。")
}

/// The role does not allow the request.
pub fn forbidden(lang: Lang) -> &'static str {
    lang.pick("Your role does not allow this.", "您的角色无权执行此操作。")
}

/// A write without the CSRF token.
pub fn csrf(lang: Lang) -> &'static str {
    lang.pick("Missing or wrong CSRF token; reload the page.", "缺少或错误的 CSRF 令牌，请刷新页面。")
}

/// Too many failed logins.
pub fn rate_limited(lang: Lang, retry_after: u64) -> String {
    let minutes = retry_after.div_ceil(60);
    match lang {
        Lang::En => format!("Too many failed logins. Try again in {minutes} min."),
        Lang::Zh => format!("登录失败次数过多，请 {minutes} 分钟后再试。"),
    }
}

/// No such resource.
pub fn not_found(lang: Lang) -> &'static str {
    lang.pick("Not found.", "未找到。")
}

/// A parameter the user can fix.
pub fn bad_request(lang: Lang, what: &str) -> String {
    match lang {
        Lang::En => format!("Bad request: {what}"),
        Lang::Zh => format!("请求有误：{what}"),
    }
}

/// The password is too short.
pub fn password_too_short(lang: Lang) -> String {
    match lang {
        Lang::En => format!("The password must have at least {MIN_PASSWORD_CHARS} characters."),
        Lang::Zh => format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符。"),
    }
}

/// The user name is empty, too long or has control characters.
pub fn bad_user_name(lang: Lang) -> &'static str {
    lang.pick("A user name has 1 to 64 characters and no control characters.", "用户名须为 1 到 64 个字符，且不含控制字符。")
}

/// The user exists.
pub fn user_exists(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("The user {name} exists already."),
        Lang::Zh => format!("用户 {name} 已存在。"),
    }
}

/// No such user.
pub fn no_such_user(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("There is no user {name}."),
        Lang::Zh => format!("不存在用户 {name}。"),
    }
}

/// The last admin cannot go.
pub fn last_admin(lang: Lang) -> &'static str {
    lang.pick("The last admin cannot be removed.", "不能删除最后一个管理员。")
}

/// The folder is no workspace.
pub fn no_workspace(lang: Lang, path: &str) -> String {
    match lang {
        Lang::En => format!("There is no churnlens workspace at {path}: import data first or run churnlens demo."),
        Lang::Zh => format!("{path} 不是 churnlens 工作区，请先导入数据或运行 churnlens demo。"),
    }
}

/// The server will not start without an admin.
pub fn no_admin(lang: Lang) -> &'static str {
    lang.pick(
        "The workspace has no admin account: run `churnlens user add NAME --role admin` first.",
        "工作区还没有管理员账户：请先运行 `churnlens user add NAME --role admin`。",
    )
}

/// Our bug; the details are in the server log.
pub fn internal(lang: Lang) -> &'static str {
    lang.pick("Something went wrong on the server; the details are in its log.", "服务器出错，详情见服务器日志。")
}

/// Printed when the server is listening.
pub fn listening(lang: Lang, url: &str) -> String {
    match lang {
        Lang::En => format!("churnlens dashboard at {url} (Ctrl+C stops it)"),
        Lang::Zh => format!("churnlens 仪表盘地址：{url}（按 Ctrl+C 停止）"),
    }
}

/// Printed when the server is bound to a non-loopback address.
pub fn not_loopback(lang: Lang, addr: &str) -> String {
    match lang {
        Lang::En => format!("warning: listening on {addr}, reachable from other machines; use --secure-cookies behind HTTPS"),
        Lang::Zh => format!("警告：正在监听 {addr}，其他机器可以访问；请在 HTTPS 之后使用 --secure-cookies"),
    }
}

/// `user add` without a terminal and without `--password-stdin`.
pub fn password_needs_terminal(lang: Lang) -> &'static str {
    lang.pick(
        "No terminal to read the password from: pass --password-stdin and pipe it in.",
        "没有可读取密码的终端：请使用 --password-stdin 并通过管道输入密码。",
    )
}

/// Asks for the password.
pub fn password_prompt(lang: Lang) -> &'static str {
    lang.pick("Password: ", "密码：")
}

/// Asks for it again.
pub fn password_again(lang: Lang) -> &'static str {
    lang.pick("Password again: ", "再次输入密码：")
}

/// The two entries differ.
pub fn passwords_differ(lang: Lang) -> &'static str {
    lang.pick("The passwords differ; nothing was changed.", "两次输入的密码不一致，未做任何更改。")
}

/// An account was created.
pub fn user_added(lang: Lang, name: &str, role: &str) -> String {
    match lang {
        Lang::En => format!("Added user {name} ({role})."),
        Lang::Zh => format!("已添加用户 {name}（{role}）。"),
    }
}

/// An account was deleted.
pub fn user_removed(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("Removed user {name}."),
        Lang::Zh => format!("已删除用户 {name}。"),
    }
}

/// `churnlens user disable` / `enable` succeeded.
pub fn user_disabled(lang: Lang, name: &str, disabled: bool) -> String {
    match (lang, disabled) {
        (Lang::En, true) => format!("Disabled user {name}: no new logins, and open sessions end at their next request."),
        (Lang::En, false) => format!("Enabled user {name}."),
        (Lang::Zh, true) => format!("已停用用户 {name}：不能再登录，已打开的会话在下一次请求时结束。"),
        (Lang::Zh, false) => format!("已启用用户 {name}。"),
    }
}

/// A password was changed.
pub fn password_changed(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => format!("Changed the password of {name}."),
        Lang::Zh => format!("已修改 {name} 的密码。"),
    }
}

/// Column names of `user list`.
pub fn user_list_header(lang: Lang) -> Vec<&'static str> {
    match lang {
        Lang::En => vec!["user", "role", "created (UTC)", "disabled"],
        Lang::Zh => vec!["用户", "角色", "创建时间（UTC）", "已停用"],
    }
}

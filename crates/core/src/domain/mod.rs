//! Plain types and the rules about them. No I/O.

pub mod audit;
pub mod batch;
pub mod bonus;
pub mod change;
pub mod close;
pub mod code;
pub mod customer;
pub mod lifecycle;
pub mod logo;
pub mod money;
pub mod offer;
pub mod offline;
pub mod page;
pub mod print;
pub mod reconcile;
pub mod redeem;
pub mod report;
pub mod run;
pub mod staff;
pub mod template;
pub mod validity;
pub mod voucher;

pub use batch::{Batch, BatchName, TicketType};
pub use code::{Code, CodeRejection};
pub use lifecycle::{CodeStatus, IllegalTransition};
pub use page::{Page, PageRequest};
